"""API routes of the ecology app, included under /api/."""

urlpatterns: list = []
