"""Pages of the atlas ("Rail ou avion")."""

from __future__ import annotations

from django.urls import path

from apps.atlas import views

app_name = "atlas"

urlpatterns = [
    path("", views.pair_list, name="pair-list"),
    path("export.csv", views.pair_export, name="pair-export"),
    path("simulateur", views.policy, name="policy"),
    path("<int:pk>", views.pair_detail, name="pair-detail"),
]
