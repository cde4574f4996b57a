"""HTML pages of the stats app."""

from __future__ import annotations

from django.urls import path

from apps.stats import views, views_coverage, views_history

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("chiffres-cles.csv", views.key_figures_export, name="key-figures-export"),
    path("<slug:key>.csv", views.indicator_export, name="indicator-export"),
    path("trains-de-nuit", views_history.night_history_page, name="night-history"),
    path(
        "trains-de-nuit/<slug:table>.csv",
        views_history.night_history_export,
        name="night-history-export",
    ),
    path("couverture", views_coverage.coverage_page, name="coverage"),
    path("couverture/<slug:table>.csv", views_coverage.coverage_export, name="coverage-export"),
]
