"""HTML pages of the trajets app."""

from __future__ import annotations

from django.urls import path

from apps.trajets import views

app_name = "trajets"
urlpatterns = [
    path("", views.trajet_list, name="trajet-list"),
    path("export.csv", views.trajet_export, name="trajet-export"),
    path("carte", views.network_map, name="network-map"),
    path("<int:pk>", views.trajet_detail, name="trajet-detail"),
    path("qualite", views.quality, name="quality"),
    path("qualite/<slug:table>.csv", views.quality_export, name="quality-export"),
]
