"""API plumbing shared by every app: pagination, base views, CSV export, the filter backend and
the schema's shared parameters and error responses (the apps' ``api.py`` modules build on it)."""
