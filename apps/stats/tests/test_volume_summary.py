"""The volume summary answers the indicators filtered on operator, kind and country, exactly as
a scan of the trajets would, and only while it was built from the current data."""

from __future__ import annotations

import itertools

import pytest

from apps.stats.models import VolumeSummary
from apps.stats.services import (
    compute_volumes,
    ensure_volume_summary,
    rebuild_volume_summary,
)
from apps.trajets.edits import EDITS_SOURCE
from apps.trajets.filters import TrajetFilterSet
from apps.trajets.models import ImportRun, Trajet
from apps.trajets.tests.factories import make_operator, make_run, make_station, make_trajet
from obrail import derived

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cache(settings):
    settings.API_COUNT_CACHE_SECONDS = 0


@pytest.fixture
def network() -> None:
    paris, lyon = make_station("Paris"), make_station("Lyon")
    wien = make_station("Wien", country="AT", time_zone="Europe/Vienna")
    munich = make_station("München", country="DE", time_zone="Europe/Berlin")
    sncf, oebb = make_operator("sncf", "SNCF", "FR"), make_operator("oebb", "ÖBB", "AT")
    make_trajet([paris, lyon], operator=sncf, distance_km=400.2, weekdays="1111111")
    make_trajet([paris, munich, wien], operator=sncf, distance_km=1210.7, weekdays="1111100")
    make_trajet([lyon, paris], operator=sncf, kind="night", distance_km=450.0, weekdays="0000011")
    make_trajet([wien, munich, paris], operator=oebb, kind="night", distance_km=1400.3)
    make_trajet([wien, lyon], operator=oebb, kind="day", distance_km=None, weekdays="1000000")
    make_trajet([munich, wien], operator=oebb, kind="day", distance_km=402.9, weekdays="0101010")


def volumes(params: dict[str, str], group_by: str, *, summary: bool):
    filterset = TrajetFilterSet(params, queryset=Trajet.objects.all())
    filterset.narrows_to_period = False
    assert filterset.is_valid(), filterset.errors
    filters = filterset.cleaned_filters if summary else None
    return compute_volumes(
        lambda: filterset.qs, group_by=group_by, filters=filters, choice=filterset.period_choice
    )


FILTERS = [
    {},
    {"operator": "oebb"},
    {"kind": "night"},
    {"country": "de"},
    {"country": "AT", "kind": "day"},
    {"operator": "sncf", "country": "FR", "kind": "day"},
    {"country": "IT"},
]
GROUPINGS = ["", *(",".join(c) for n in (1, 2, 3) for c in itertools.combinations(
    ("operator", "country", "kind"), n
))]  # fmt: skip


@pytest.mark.parametrize("params", FILTERS)
def test_summary_gives_the_same_figures_as_the_trajets_for_every_grouping(network, params):
    rebuild_volume_summary()
    for group_by in GROUPINGS:
        expected = volumes(params, group_by, summary=False)
        assert volumes(params, group_by, summary=True) == expected, (params, group_by)
    # the typical week of the source is stated whenever a train of it is counted
    assert bool(expected.weeks) == bool(expected.total["services"])


def test_summary_answers_in_one_query(network, django_assert_num_queries):
    rebuild_volume_summary()
    with django_assert_num_queries(1):
        table = volumes({"country": "DE", "kind": "day"}, "operator,kind", summary=True)
    assert [(row["operator"], row["services"]) for row in table.rows] == [
        ("oebb", 1),
        ("sncf", 1),
    ]
    assert table.total == {"services": 2, "departures": 8, "km_served": 7262.2}


def test_other_filters_are_computed_from_the_trajets(network):
    rebuild_volume_summary()
    VolumeSummary.objects.update(services=999)  # a summary answer would show it
    table = volumes({"min_distance": "1000"}, "kind", summary=True)
    assert [(row["kind"], row["services"]) for row in table.rows] == [("day", 1), ("night", 1)]


def test_an_outdated_summary_is_not_used_and_ensure_rebuilds_it(network):
    rebuild_volume_summary()
    VolumeSummary.objects.update(services=999)
    make_run()  # a newer successful import: the summary no longer describes the data
    assert volumes({}, "", summary=True).total["services"] == 6
    assert ensure_volume_summary() is True
    assert ensure_volume_summary() is False
    assert volumes({}, "", summary=True).total["services"] == 6
    assert set(VolumeSummary.objects.values_list("services", flat=True)) != {999}


def test_an_empty_answer_of_a_current_summary_is_trusted(network, django_assert_num_queries):
    rebuild_volume_summary()
    with django_assert_num_queries(2):  # the cells, then whether the summary is current
        table = volumes({"country": "IT"}, "operator", summary=True)
    assert table.rows == ()
    assert table.total == {"services": 0, "departures": 0, "km_served": 0.0}


def test_an_edit_through_the_orm_outdates_the_summary_once_committed(network, commit_hooks):
    commit_hooks()  # the network's rows, as if committed before
    rebuild_volume_summary()
    trajet = Trajet.objects.filter(kind="night").first()
    trajet.kind = "day"
    trajet.save()
    assert ImportRun.objects.filter(source__name=EDITS_SOURCE).count() == 1
    commit_hooks()
    # The edit was recorded as a run: the summary describes an older data version.
    assert ImportRun.objects.filter(source__name=EDITS_SOURCE).count() == 2
    table = volumes({}, "kind", summary=True)
    assert [(row["kind"], row["services"]) for row in table.rows] == [("day", 5), ("night", 1)]


def test_each_import_rebuilds_the_summary(network):
    run = make_run()
    derived.rebuild_after_change("test", changed=True, run_id=run.pk, only=["volume-summary"])
    assert set(VolumeSummary.objects.values_list("data_version", flat=True)) == {run.pk}
    everywhere = VolumeSummary.objects.filter(served_country="")
    assert sum(everywhere.values_list("services", flat=True)) == 6
    assert (
        sum(VolumeSummary.objects.filter(served_country="DE").values_list("services", flat=True))
        == 3
    )
