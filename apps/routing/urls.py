"""HTML pages of the routing app."""

from __future__ import annotations

from django.urls import path

from apps.routing import views

app_name = "routing"
urlpatterns = [path("", views.route_search, name="route-search")]
