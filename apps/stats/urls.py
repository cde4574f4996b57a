"""HTML pages of the stats app."""

from django.urls import path  # noqa: F401 - filled as pages are added

app_name = "stats"
urlpatterns: list = []
