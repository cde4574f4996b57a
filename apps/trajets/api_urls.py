"""API routes of the trajets app, included under /api/ (namespace ``api``)."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from apps.trajets import api

router = SimpleRouter(trailing_slash=False)
router.register("trajets", api.TrajetViewSet, basename="trajet")
router.register("stations", api.StationViewSet, basename="station")
router.register("operators", api.OperatorViewSet, basename="operator")

urlpatterns = router.urls
