"""HTML pages of the routing app."""

from django.urls import path  # noqa: F401 - filled as pages are added

app_name = "routing"
urlpatterns: list = []
