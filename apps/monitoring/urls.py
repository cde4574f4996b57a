"""Monitoring URLs, included at the site root: /metrics, the webhook, the status page."""

from __future__ import annotations

from django.urls import path

from apps.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("metrics", views.metrics, name="metrics"),
    path("monitoring/alertmanager", views.alertmanager_webhook, name="alertmanager-webhook"),
    path("etat-du-service/", views.service_status, name="status"),
]
