"""API routes of the stats app, included under /api/."""

urlpatterns: list = []
