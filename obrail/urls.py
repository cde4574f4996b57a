"""Root URLs: pages per app, the API under /api/, health, admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from obrail import api_docs, health, views

api_patterns = [
    path("", include("apps.trajets.api_urls")),
    path("", include("apps.stats.api_urls")),
    path("", include("apps.routing.api_urls")),
    path("", include("apps.ecology.api_urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", api_docs.swagger_ui, name="swagger-ui"),
    path("redoc", api_docs.redoc, name="redoc"),
]

page_patterns = [
    path("accessibilite", views.accessibility, name="accessibility"),
    path("mentions-legales", views.legal, name="legal"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include((page_patterns, "pages"))),
    path("health", health.health, name="health"),
    path("api/", include((api_patterns, "api"))),
    path("trajets/", include("apps.trajets.urls")),
    path("indicateurs/", include("apps.stats.urls")),
    path("itineraires/", include("apps.routing.urls")),
    path("ecologie/", include("apps.ecology.urls")),
    path("", include("apps.monitoring.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "obrail.views.page_not_found"
