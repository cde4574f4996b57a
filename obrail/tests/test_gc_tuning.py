"""The web processes freeze their start-up objects out of the garbage collector's scans."""

from __future__ import annotations

import gc
import importlib

import pytest

from obrail.gc_tuning import freeze_startup_objects


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freezing_moves_the_loaded_objects_out_of_the_collected_generations(unfrozen):
    assert gc.get_freeze_count() == 0
    frozen = freeze_startup_objects()
    assert frozen > 10_000  # Django, DRF and the apps
    # The count is the permanent generation's size: a frozen object that dies afterwards (the
    # call's own temporaries) leaves it, so it can only shrink by a handful.
    assert frozen - 100 <= gc.get_freeze_count() <= frozen
    assert sum(gc.get_count()) < 1_000  # what is left to scan is what came after


def test_the_wsgi_entry_point_freezes_them(unfrozen):
    import obrail.wsgi

    gc.unfreeze()
    importlib.reload(obrail.wsgi)
    assert callable(obrail.wsgi.application)
    assert gc.get_freeze_count() > 10_000
