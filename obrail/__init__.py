"""ObRail Europe: the Django project package."""
