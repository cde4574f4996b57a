"""API routes of the stats app, included under /api/ (namespace ``api``)."""

from __future__ import annotations

from django.urls import path

from apps.stats.api import VolumesView
from apps.stats.coverage_api import CoverageView
from apps.stats.history_api import NightTrainHistoryView

urlpatterns = [
    path("stats/volumes", VolumesView.as_view(), name="stats-volumes"),
    path("stats/coverage", CoverageView.as_view(), name="stats-coverage"),
    path("stats/night-trains", NightTrainHistoryView.as_view(), name="stats-night-trains"),
]
