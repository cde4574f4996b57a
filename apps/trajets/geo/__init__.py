"""Bundled geographic data: Europe's country outlines, projected once for the network map."""
