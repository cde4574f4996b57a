"""The trajet, station and operator FilterSets, tested directly on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from apps.trajets.filters import OperatorFilterSet, StationFilterSet, TrajetFilterSet
from apps.trajets.models import CalendarException, Trajet
from apps.trajets.tests.factories import make_operator, make_station, make_trajet

pytestmark = pytest.mark.django_db


@pytest.fixture
def network() -> dict[str, object]:
    paris = make_station("Paris Gare de Lyon", uic_code="8768600")
    lyon = make_station("Lyon Part-Dieu", uic_code="8772319", latitude=45.76, longitude=4.86)
    koln = make_station("Köln Hbf", country="DE", uic_code="8000207", time_zone="Europe/Berlin")
    wien = make_station("Wien Hbf", country="AT", uic_code="8101003", time_zone="Europe/Vienna")
    sncf = make_operator("sncf", "SNCF Voyageurs", "FR")
    oebb = make_operator("oebb", "ÖBB", "AT")
    tgv = make_trajet(
        [paris, lyon],
        times=[(None, "07:00"), ("09:00", None)],
        operator=sncf,
        category="TGV INOUI",
        distance_km=465.0,
        weekdays="1111100",
    )
    ic = make_trajet(
        [paris, koln, lyon],
        times=[(None, "12:30"), ("15:00", "15:05"), ("19:00", None)],
        operator=sncf,
        category="IC",
        distance_km=900.0,
        weekdays="0000011",
    )
    nightjet = make_trajet(
        [wien, koln, paris],
        times=[(None, "19:10"), ("04:00", "04:10"), ("09:55", None)],
        operator=oebb,
        kind="night",
        category="Nightjet",
        distance_km=1400.0,
        weekdays="1010100",
    )
    return {
        "paris": paris,
        "lyon": lyon,
        "koln": koln,
        "wien": wien,
        "tgv": tgv,
        "ic": ic,
        "nightjet": nightjet,
    }


def ids(data: dict[str, str]) -> list[int]:
    filterset = TrajetFilterSet(data, queryset=Trajet.objects.all())
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("pk", flat=True))


def errors(data: dict[str, str], filterset_class: type = TrajetFilterSet) -> dict:
    filterset = filterset_class(data, queryset=filterset_class._meta.model.objects.all())
    assert not filterset.is_valid()
    return filterset.errors


def test_no_filter_lists_everything_by_departure_time(network):
    assert ids({}) == [network["tgv"].pk, network["ic"].pk, network["nightjet"].pk]


@pytest.mark.parametrize("value", ["paris gare", "Paris", "8768600", "PARIS GARE DE LYON"], ids=str)
def test_origin_accepts_a_name_prefix_or_a_uic_code(network, value):
    assert ids({"origin": value}) == [network["tgv"].pk, network["ic"].pk]


def test_origin_accepts_a_station_id(network):
    assert ids({"origin": str(network["wien"].pk)}) == [network["nightjet"].pk]


def test_a_station_id_filters_without_looking_the_station_up(network, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert ids({"destination": f" {network['wien'].pk + 1000} ", "period": "all"}) == []
    assert ids({"origin": "123456789012345678901"}) == []  # too long for an id: no error


def test_destination_name_ignores_accents_and_case(network):
    make_trajet([network["paris"], network["koln"]], times=[(None, "10:00"), ("15:00", None)])
    assert len(ids({"destination": "koln"})) == 1
    assert len(ids({"destination": "Köln"})) == 1


def test_unknown_station_matches_nothing(network):
    assert ids({"origin": "Atlantis"}) == []
    assert ids({"origin": "99999999"}) == []


def test_country_matches_any_served_country(network):
    assert ids({"country": "de"}) == [network["ic"].pk, network["nightjet"].pk]
    assert ids({"country": "AT"}) == [network["nightjet"].pk]


def test_operator_is_given_by_code(network):
    assert ids({"operator": "oebb"}) == [network["nightjet"].pk]


def test_kind_filters_day_and_night(network):
    assert ids({"kind": "night"}) == [network["nightjet"].pk]
    assert ids({"kind": "day"}) == [network["tgv"].pk, network["ic"].pk]


def test_date_keeps_services_running_that_day_with_exceptions(network):
    saturday, monday = dt.date(2025, 3, 8), dt.date(2025, 3, 10)
    assert ids({"date": saturday.isoformat()}) == [network["ic"].pk]
    assert ids({"date": monday.isoformat()}) == [network["tgv"].pk, network["nightjet"].pk]
    CalendarException.objects.create(trajet=network["tgv"], date=monday, is_added=False)
    CalendarException.objects.create(trajet=network["ic"], date=monday, is_added=True)
    assert ids({"date": monday.isoformat()}) == [network["ic"].pk, network["nightjet"].pk]


def test_date_outside_validity_matches_nothing(network):
    assert ids({"date": "2030-01-07"}) == []


def test_departure_window(network):
    assert ids({"departure_after": "12:00"}) == [network["ic"].pk, network["nightjet"].pk]
    assert ids({"departure_before": "12:30"}) == [network["tgv"].pk, network["ic"].pk]
    assert ids({"departure_after": "07:00", "departure_before": "12:00"}) == [network["tgv"].pk]


def test_departure_window_wraps_past_midnight(network):
    early = make_trajet(times=[(None, "01:30"), ("05:00", None)])
    assert ids({"departure_after": "19:00", "departure_before": "02:00"}) == [
        early.pk,
        network["nightjet"].pk,
    ]


def test_duration_and_distance_ranges(network):
    assert ids({"min_duration": "200"}) == [network["ic"].pk, network["nightjet"].pk]
    assert ids({"max_duration": "120"}) == [network["tgv"].pk]
    assert ids({"min_distance": "500", "max_distance": "1000"}) == [network["ic"].pk]


def test_search_matches_train_number_category_or_station(network):
    assert ids({"q": "nightjet"}) == [network["nightjet"].pk]
    assert ids({"q": network["tgv"].train_number}) == [network["tgv"].pk]
    assert ids({"q": "wien"}) == [network["nightjet"].pk]
    assert ids({"q": "lyon"}) == [network["tgv"].pk, network["ic"].pk]


def test_ordering_by_distance_descending(network):
    assert ids({"ordering": "-distance"}) == [
        network["nightjet"].pk,
        network["ic"].pk,
        network["tgv"].pk,
    ]


def test_ordering_by_two_keys(network):
    assert ids({"ordering": "kind,-duration"}) == [
        network["ic"].pk,
        network["tgv"].pk,
        network["nightjet"].pk,
    ]


def test_filters_combine(network):
    data = {"country": "DE", "kind": "day", "departure_after": "10:00", "operator": "sncf"}
    assert ids(data) == [network["ic"].pk]


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"kind": "evening"}, "kind", "day, night"),
        ({"country": "FRA"}, "country", "deux lettres"),
        ({"country": "F1"}, "country", "deux lettres"),
        ({"operator": "nope"}, "operator", "nope"),
        ({"date": "2025-13-01"}, "date", "AAAA-MM-JJ"),
        ({"date": "tomorrow"}, "date", "AAAA-MM-JJ"),
        ({"date": "01/02/2026"}, "date", "AAAA-MM-JJ"),
        ({"departure_after": "25:00"}, "departure_after", "HH:MM"),
        ({"min_duration": "abc"}, "min_duration", ""),
        ({"min_duration": "-5"}, "min_duration", "0"),
        ({"max_distance": "1e9"}, "max_distance", "20"),
        ({"ordering": "price"}, "ordering", "price"),
        ({"q": "x" * 101}, "q", "100"),
        ({"origin": "x" * 101}, "origin", "100"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_rejects_a_malformed_value_naming_the_parameter(network, data, field, fragment):
    found = errors(data)
    assert list(found) == [field]
    assert fragment in " ".join(found[field])


def test_rejects_a_minimum_above_the_maximum_on_the_maximum(network):
    found = errors({"min_duration": "300", "max_duration": "100", "min_distance": "9"})
    assert list(found) == ["max_duration"]
    assert "min_duration" in found["max_duration"][0]


def test_reports_every_bad_parameter_at_once(network):
    assert set(errors({"kind": "x", "country": "xyz", "date": "y"})) == {"kind", "country", "date"}


def test_form_has_french_labels_and_html5_widgets():
    form = TrajetFilterSet({}).form
    assert form.fields["origin"].label == "Origine"
    assert form.fields["date"].label == "Circule le"
    assert 'type="month"' in str(form["month"])
    assert 'type="date"' in str(form["date"])
    assert 'type="time"' in str(form["departure_after"])
    assert [value for value, _ in form.fields["kind"].choices] == ["", "day", "night", "overnight"]


def test_station_search_by_prefix_uic_or_id_and_country(network):
    def station_ids(data):
        filterset = StationFilterSet(
            data, queryset=network["paris"].__class__.objects.order_by("pk")
        )
        assert filterset.is_valid(), filterset.errors
        return list(filterset.qs.values_list("pk", flat=True))

    assert station_ids({"q": "wien"}) == [network["wien"].pk]
    assert station_ids({"q": "8772319"}) == [network["lyon"].pk]
    assert station_ids({"q": str(network["koln"].pk)}) == [network["koln"].pk]
    assert station_ids({"country": "fr"}) == [network["paris"].pk, network["lyon"].pk]
    assert errors({"country": "France"}, StationFilterSet).keys() == {"country"}


def test_operator_search_by_code_or_name_prefix(network):
    def codes(data):
        filterset = OperatorFilterSet(
            data, queryset=network["tgv"].operator.__class__.objects.all()
        )
        assert filterset.is_valid(), filterset.errors
        return sorted(filterset.qs.values_list("code", flat=True))

    assert codes({"q": "ÖB"}) == ["oebb"]
    assert codes({"q": "sncf"}) == ["sncf"]
    assert codes({"country": "AT"}) == ["oebb"]


def test_a_request_without_filter_parameters_is_valid_without_building_the_form(network):
    filterset = TrajetFilterSet({"group_by": "kind", "page": "2"}, queryset=Trajet.objects.all())
    assert filterset.is_valid()
    assert "_form" not in vars(filterset)
    assert filterset.cleaned_filters == {}
    assert set(filterset.qs.values_list("pk", flat=True)) == set(ids({}))
    given = TrajetFilterSet({"kind": "night"}, queryset=Trajet.objects.all())
    assert given.is_valid()
    assert given.cleaned_filters["kind"] == "night"
    assert not TrajetFilterSet({"kind": "dusk"}, queryset=Trajet.objects.all()).is_valid()


def test_api_forms_share_their_fields_while_page_forms_copy_them():
    api = TrajetFilterSet({"kind": "night", "min_duration": "x"}, queryset=Trajet.objects.all())
    api.renders_form = False
    page = TrajetFilterSet({"kind": "night"}, queryset=Trajet.objects.all())
    assert not api.is_valid()
    assert "min_duration" in api.errors
    assert page.is_valid()
    shared = TrajetFilterSet._validation_form_class.base_fields
    assert all(api.form.fields[name] is field for name, field in shared.items())
    page.form.fields["kind"].widget.attrs["aria-invalid"] = "true"  # as the page does on errors
    for renders_form in (True, False):
        fresh = TrajetFilterSet({"kind": "day"}, queryset=Trajet.objects.all())
        fresh.renders_form = renders_form
        assert "aria-invalid" not in fresh.form.fields["kind"].widget.attrs


# --- Period: each source's typical week by default, or a chosen day, week, month or range ---


def test_list_defaults_to_the_trains_running_in_their_sources_typical_week():
    make_trajet(valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 12, 31))
    ended = make_trajet(valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 1, 1))
    # The source's busiest week is the first full one (6 to 12 January: 7 departures, against
    # 5 + 1 the week before): the train running on the 1st only is not in it.
    assert ended.pk not in ids({})
    assert len(ids({})) == 1
    assert ended.pk in ids({"period": "all"})
    filterset = TrajetFilterSet({})
    filterset.is_valid()
    assert filterset.period_choice.kind == "reference"


def test_a_week_keeps_the_trains_running_on_at_least_one_of_its_dates(network):
    CalendarException.objects.bulk_create(
        CalendarException(trajet=network["ic"], date=dt.date(2025, 3, day), is_added=False)
        for day in (8, 9)
    )
    added = make_trajet(
        weekdays="0000000",
        valid_from=dt.date(2025, 6, 2),
        runs_from=dt.date(2025, 3, 12),
        runs_until=dt.date(2025, 3, 12),
        running_days=1,
    )
    CalendarException.objects.create(trajet=added, date=dt.date(2025, 3, 12), is_added=True)
    week = {"week": "2025-03-12"}  # a Wednesday: 10 to 16 March
    expected = [network[name].pk for name in ("tgv", "ic", "nightjet")] + [added.pk]
    assert sorted(ids(week)) == sorted(expected)
    assert ids({"date": "2025-03-08"}) == []  # a Saturday whose IC is removed
    assert ids({"date": "2025-03-15"}) == [network["ic"].pk]
    assert sorted(ids({"start": "2025-03-08", "end": "2025-03-09"})) == []
    assert len(ids({"month": "2025-03"})) == 4


def test_a_train_another_source_describes_is_listed_once(network):
    make_trajet(weekdays="1111111", same_train_as=network["tgv"])
    assert len(ids({"period": "all"})) == 3


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"month": "2025-1"}, "month", "mois AAAA-MM attendu (ex. 2025-11)."),
        ({"start": "2025-01-01"}, "end", "indiquez aussi la fin de la période (end)."),
        ({"end": "2025-01-01"}, "start", "indiquez aussi le début de la période (start)."),
        ({"start": "2025-01-02", "end": "2025-01-01"}, "end", "doit être postérieure"),
        ({"start": "2025-01-01", "end": "2026-01-02"}, "end", "période de 367 jours"),
        ({"date": "2025-01-01", "week": "2025-01-01"}, "week", "une seule période à la fois"),
        ({"period": "sometimes"}, "period", "doit être reference ou all."),
    ],
)
def test_bad_periods_name_the_parameter(data, field, message):
    found = errors(data)
    assert list(found) == [field]
    assert found[field][0].startswith(message)


def test_a_chosen_period_wins_over_the_default_choice():
    filterset = TrajetFilterSet({"period": "all", "month": "2024-02"})
    assert filterset.is_valid()
    choice = filterset.period_choice
    assert (choice.kind, choice.period.start, choice.period.end) == (
        "month",
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
    )


def test_coaches_and_tram_trains_are_listed_only_when_their_mode_is_asked_for(network) -> None:
    paris, lyon = network["paris"], network["lyon"]
    coach = make_trajet([paris, lyon], times=[(None, "10:00"), ("14:00", None)], mode="coach")
    tram = make_trajet([paris, lyon], times=[(None, "11:00"), ("15:00", None)], mode="tram_train")
    trains = {network["tgv"].pk, network["ic"].pk, network["nightjet"].pk}
    assert set(ids({"period": "all"})) == trains
    assert set(ids({"period": "all", "mode": ["coach"]})) == {coach.pk}
    both = TrajetFilterSet(
        QueryDict("period=all&mode=rail&mode=tram_train"), queryset=Trajet.objects.all()
    )
    assert both.is_valid()
    assert set(both.qs.values_list("pk", flat=True)) == trains | {tram.pk}
    invalid = TrajetFilterSet({"mode": "bus"}, queryset=Trajet.objects.all())
    assert not invalid.is_valid()
    assert "mode" in invalid.errors
