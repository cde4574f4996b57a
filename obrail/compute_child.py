"""Start-up of a compute child: Django set up before any service is unpickled.

Kept apart from ``obrail.compute``, whose imports need a ready app registry: the child imports
this module while unpickling its initializer, before Django is set up.
"""

from __future__ import annotations


def setup_django() -> None:
    """Initialise Django in a compute child (services import models for their constants), then
    run the apps' warm-ups (``COMPUTE_WARMUP``: dotted paths of functions without arguments,
    e.g. loading the routing network), which are part of the child's start-up, not of its
    first call."""
    import django

    django.setup()

    from django.conf import settings
    from django.utils.module_loading import import_string

    for path in settings.COMPUTE_WARMUP:
        import_string(path)()
