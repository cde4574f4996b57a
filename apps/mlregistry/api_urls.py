"""API routes of the model registry, included under /api/ (namespace ``api``)."""

from __future__ import annotations

from django.urls import path

from apps.mlregistry import api

urlpatterns = [
    path("models", api.ModelListView.as_view(), name="model-list"),
    path("models/<slug:name>", api.ModelDetailView.as_view(), name="model-detail"),
    path("models/<slug:name>/predict", api.PredictView.as_view(), name="model-predict"),
    path("models/<slug:name>/promote", api.PromoteView.as_view(), name="model-promote"),
    path("models/<slug:name>/rollback", api.RollbackView.as_view(), name="model-rollback"),
]
