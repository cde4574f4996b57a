"""Pages of the model registry."""

from __future__ import annotations

from django.urls import path

from apps.mlregistry import views

app_name = "mlregistry"

urlpatterns = [
    path("", views.model_list, name="model-list"),
    path("<slug:name>", views.model_detail, name="model-detail"),
]
