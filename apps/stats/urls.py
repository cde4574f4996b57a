"""HTML pages of the stats app."""

from __future__ import annotations

from django.urls import path

from apps.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("chiffres-cles.csv", views.key_figures_export, name="key-figures-export"),
    path("<slug:key>.csv", views.indicator_export, name="indicator-export"),
]
