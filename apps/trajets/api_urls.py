"""API routes of the trajets app, included under /api/."""

urlpatterns: list = []
