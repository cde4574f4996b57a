"""Start-up of a compute child: Django set up before any service is unpickled.

Kept apart from ``obrail.compute``, whose imports need a ready app registry: the child imports
this module while unpickling its initializer, before Django is set up.
"""

from __future__ import annotations


def setup_django() -> None:
    """Initialise Django in a compute child (services import models for their constants)."""
    import django

    django.setup()
