"""HTML pages of the ecology app."""

from django.urls import path  # noqa: F401 - filled as pages are added

app_name = "ecology"
urlpatterns: list = []
