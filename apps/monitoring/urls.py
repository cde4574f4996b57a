"""HTML pages of the monitoring app."""

from django.urls import path  # noqa: F401 - filled as pages are added

app_name = "monitoring"
urlpatterns: list = []
