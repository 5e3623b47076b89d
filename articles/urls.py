from django.urls import path

from . import editorial_views, feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<int:pk>/<str:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("sources/<str:slug>/", views.SourceArticlesView.as_view(), name="source"),
    path("sections/<str:slug>/", views.SectionArticlesView.as_view(), name="section"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("corrections/", editorial_views.CorrectionListView.as_view(), name="corrections"),
    path("preview/<int:pk>/", editorial_views.ArticlePreviewView.as_view(), name="preview"),
    path("feeds/", views.FeedListView.as_view(), name="feeds"),
    path("feeds/rss/", feeds.ArticleFeed.as_view(), name="feed-rss"),
    path("feeds/atom/", feeds.ArticleAtomFeed.as_view(), name="feed-atom"),
    path("feeds/sources/<str:slug>/rss/", feeds.SourceFeed.as_view(), name="source-feed-rss"),
    path("feeds/sources/<str:slug>/atom/", feeds.SourceAtomFeed.as_view(), name="source-feed-atom"),
    path("feeds/sections/<str:slug>/rss/", feeds.SectionFeed.as_view(), name="section-feed-rss"),
    path(
        "feeds/sections/<str:slug>/atom/", feeds.SectionAtomFeed.as_view(), name="section-feed-atom"
    ),
]
