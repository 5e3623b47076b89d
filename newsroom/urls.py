from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from articles import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<str:section>.xml", views.sitemap_section, name="sitemap-section"),
    path("i18n/", include("django.conf.urls.i18n")),
]
# Arabic pages at the root, English ones under /en/.
urlpatterns += i18n_patterns(
    path("", include("articles.urls")),
    prefix_default_language=False,
)
