"""API routes of the atlas, included under /api/ (namespace ``api``)."""

from __future__ import annotations

from django.urls import path

from apps.atlas import api

urlpatterns = [
    path("pairs", api.PairListView.as_view(), name="pair-list"),
    path("pairs/<int:pk>", api.PairDetailView.as_view(), name="pair-detail"),
    path("policy", api.PolicyView.as_view(), name="policy"),
]
