"""Harmonisation rules shared by every source (each one is described in docs/data.md)."""
