"""API routes of the routing app, included under /api/."""

urlpatterns: list = []
