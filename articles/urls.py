from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<int:pk>/<str:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("sources/<str:slug>/", views.SourceArticlesView.as_view(), name="source"),
    path("sections/<str:slug>/", views.SectionArticlesView.as_view(), name="section"),
    path("search/", views.SearchView.as_view(), name="search"),
]
