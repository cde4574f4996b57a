"""HTML pages of the trajets app."""

from django.urls import path  # noqa: F401 - filled as pages are added

app_name = "trajets"
urlpatterns: list = []
