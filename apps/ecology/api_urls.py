"""API routes of the ecology app, included under /api/ (namespace ``api``)."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.ecology import api

router = SimpleRouter(trailing_slash=False)
router.register("ecology/scenarios", api.ScenarioViewSet, basename="scenario")

urlpatterns = [
    path("ecology/simulate", api.SimulateView.as_view(), name="chemostat-simulate"),
    path("ecology/equilibria", api.EquilibriaView.as_view(), name="chemostat-equilibria"),
    path(
        "ecology/operating-diagram",
        api.OperatingDiagramView.as_view(),
        name="chemostat-operating-diagram",
    ),
    path("ecology/competition", api.CompetitionView.as_view(), name="chemostat-competition"),
    *router.urls,
]
