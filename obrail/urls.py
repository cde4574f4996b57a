"""Root URLs: pages per app, the API under /api/, health, admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from obrail import api_docs, health, views

api_patterns = [
    path("", include("apps.trajets.api_urls")),
    path("", include("apps.stats.api_urls")),
    path("", include("apps.routing.api_urls")),
    path("", include("apps.atlas.api_urls")),
    path("", include("apps.ecology.api_urls")),
    path("", include("apps.mlregistry.api_urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", api_docs.swagger_ui, name="swagger-ui"),
    path("redoc", api_docs.redoc, name="redoc"),
    # Last: any other /api/ address is the API's JSON 404, whatever DEBUG says (Django's debug
    # 404 page would otherwise answer an API client with HTML).
    re_path(r"^.*$", views.api_not_found, name="not-found"),
]

page_patterns = [
    path("accessibilite", views.accessibility, name="accessibility"),
    path("mentions-legales", views.legal, name="legal"),
    path("plan-du-site", views.sitemap, name="sitemap"),
]

urlpatterns = [
    path("", include("apps.stats.home_urls")),
    path("", include((page_patterns, "pages"))),
    path("health", health.health, name="health"),
    path("api/", include((api_patterns, "api"))),
    path("trajets/", include("apps.trajets.urls")),
    path("indicateurs/", include("apps.stats.urls")),
    path("itineraires/", include("apps.routing.urls")),
    path("rail-ou-avion/", include("apps.atlas.urls")),
    path("ecologie/", include("apps.ecology.urls")),
    path("modeles/", include("apps.mlregistry.urls")),
    path("", include("apps.monitoring.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "obrail.views.page_not_found"

admin.site.site_header = _("Administration ObRail Europe")
admin.site.site_title = _("Administration ObRail Europe")
admin.site.index_title = _("Données, sources, incidents et maintenances")
