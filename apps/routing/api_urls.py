"""API routes of the routing app, included under /api/ (namespace ``api``)."""

from __future__ import annotations

from django.urls import path

from apps.routing import api

urlpatterns = [
    path("routes", api.RouteView.as_view(), name="route"),
    path("routes/pareto", api.ParetoRouteView.as_view(), name="route-pareto"),
]
