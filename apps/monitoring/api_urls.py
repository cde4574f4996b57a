"""API routes of the monitoring app, included under /api/."""

urlpatterns: list = []
