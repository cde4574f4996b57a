"""Acceptance checks of the journey planner against independent oracles.

``raw_gtfs`` reads a GTFS feed with the standard library only and answers earliest-arrival
queries by brute force, sharing no code with the planner (``apps.routing.pathfinding``) or
the ETL (``apps.trajets.etl``); ``apps.routing.services.acceptance`` compares the two.
"""
