"""The atlas endpoints: shapes, filters, the method named with every figure, 400/404/422."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.atlas.models import CityPair
from apps.atlas.tests.conftest import copy_every_pair, place_named
from apps.places.models import PlaceName
from apps.places.names import search_key


@pytest.fixture
def api(client):
    return client


def test_pairs_list_names_the_method_of_every_co2_figure(atlas, api):
    vienna = place_named("Vienna", "AT")
    PlaceName.objects.create(place=vienna, name="Wien", key=search_key("Wien"))
    answer = api.get(reverse("api:pair-list"), {"method": "desnz", "q": "Wien"}).json()
    assert answer["method"] == "desnz"
    assert answer["count"] == len(answer["results"]) >= 1
    assert {row["co2"]["method"] for row in answer["results"]} == {"desnz"}
    assert any(row["label"] == "Paris – Vienna" for row in answer["results"])


def test_the_eea_method_prices_every_pair_with_its_one_co2_only_figure(atlas, api):
    rows = api.get(reverse("api:pair-list"), {"method": "eea"}).json()["results"]
    priced = [row for row in rows if row["co2"]["air_kg"] is not None]
    assert priced
    for row in priced:
        assert row["co2"]["method"] == "eea"
        assert "CO2 seul" in row["co2"]["method_label"]
        assert row["co2"]["air_factor"]["kg_per_pkm"] == 0.285
    policy = api.get(reverse("api:policy"), {"threshold_min": 150, "method": "eea"}).json()
    assert policy["method"] == "eea"


def test_pairs_filters_by_rail_time_and_country(atlas, api):
    rows = api.get(
        reverse("api:pair-list"), {"max_rail_min": 150, "country": "fr", "domestic": "true"}
    ).json()
    assert [row["label"] for row in rows["results"]] == ["Paris – Lyon"]


def test_pairs_order_by_rail_time_with_pairs_without_a_time_last(atlas, api):
    rows = api.get(reverse("api:pair-list"), {"ordering": "rail"}).json()["results"]
    times = [row["rail_fastest_min"] for row in rows]
    found = [t for t in times if t is not None]
    assert found == sorted(found)
    assert times[: len(found)] == found


@pytest.mark.parametrize(
    ("params", "field"),
    [({"country": "FRA"}, "country"), ({"method": "icao"}, "method"), ({"rail": "x"}, "rail")],
)
def test_pairs_bad_parameters_are_400_naming_the_parameter(atlas, api, params, field):
    answer = api.get(reverse("api:pair-list"), params)
    assert answer.status_code == 400
    assert field in answer.json()["errors"]


def test_pair_detail_has_series_journeys_and_every_method(atlas, api):
    pair = CityPair.objects.get(a_name="Paris", b_name="Marseille")
    answer = api.get(reverse("api:pair-detail", args=[pair.pk])).json()
    assert answer["air_series"]["2019"] == pair.air_passengers
    methods = [c["method"] for c in answer["co2_by_method"]]
    assert methods == ["ademe", "desnz", "desnz_no_rf", "eea"]
    assert answer["night_trains"][0]["departure"] == "21:00"
    assert answer["rail_journey_list"]
    assert api.get(reverse("api:pair-detail", args=[999999])).status_code == 404


def test_policy_answers_the_2h30_rule_with_its_assumptions(atlas, api):
    answer = api.get(reverse("api:policy"), {"threshold_min": 150}).json()
    assert [p["label"] for p in answer["pairs"]] == ["Paris – Lyon"]
    assert answer["passengers"] == answer["pairs"][0]["passengers"]
    assert answer["co2_avoided_t"] > 0
    assert answer["method"] == "ademe"
    assert len(answer["assumptions"]) == 3
    assert answer["year"] == 2019
    # Paris–Lyon's 2 h is an upper bound (no French main timetable) under 2h30: it decides.
    assert answer["pairs"][0]["rail_upper_bound"] is True
    # Paris–Marseille (4 h 10 at most) and the pairs without a train cannot be judged.
    not_judged = {p["label"]: p for p in answer["not_judged"]}
    assert not_judged["Paris – Marseille"]["rail_fastest_min"] == 250.0
    assert answer["not_judged_passengers"] == sum(p["passengers"] for p in not_judged.values())


def test_pairs_say_where_the_rail_time_comes_from(atlas, api):
    lyon = next(
        p
        for p in api.get(reverse("api:pair-list")).json()["results"]
        if p["label"] == "Paris – Lyon"
    )
    assert lyon["rail_sources"] == ["test-feed"]
    assert (lyon["rail_missing_main"], lyon["rail_is_upper_bound"]) == (["FR"], True)


def test_policy_without_a_rule_is_422_and_a_bad_number_400(atlas, api):
    empty = api.get(reverse("api:policy"))
    assert empty.status_code == 422
    assert "threshold_min" in empty.json()["errors"]
    assert api.get(reverse("api:policy"), {"threshold_min": "2h30"}).status_code == 400
    assert api.get(reverse("api:policy"), {"threshold_min": 0}).status_code == 400


def test_cached_lists_follow_a_factor_correction_and_a_recomputation(
    atlas, api, django_capture_on_commit_callbacks
):
    from apps.atlas.models import AirTraffic
    from apps.atlas.services import recompute_atlas
    from apps.trajets.models import EmissionFactor

    def lyon():
        rows = api.get(reverse("api:pair-list"), {"q": "Lyon"}).json()["results"]
        return next(row for row in rows if row["label"] == "Paris – Lyon")

    before = lyon()["co2"]["air_kg"]
    factor = EmissionFactor.objects.get(method="ademe", mode="air", min_distance_km=0)
    factor.kg_co2e_per_passenger_km = factor.kg_co2e_per_passenger_km / 2
    factor.save()
    assert lyon()["co2"]["air_kg"] == pytest.approx(before / 2, abs=1e-3)
    passengers = lyon()["air_passengers"]
    AirTraffic.objects.filter(reporting_icao="LFPG", partner_icao="LFLL").delete()
    AirTraffic.objects.filter(reporting_icao="LFLL", partner_icao="LFPG").delete()
    with django_capture_on_commit_callbacks(execute=True):
        recompute_atlas(trigger="test")
    assert 0 < lyon()["air_passengers"] < passengers


def test_the_pairs_count_follows_a_recomputation_without_an_import(atlas, api, settings):
    """The count is cached per data version (bumped by imports) and per atlas version: a
    recomputation with no import before it (the daily reference-day refresh) changes the
    pairs, and the page's count follows its rows."""
    from apps.atlas.services import bump_atlas_version

    settings.API_COUNT_CACHE_SECONDS = 600
    before = api.get(reverse("api:pair-list"), {"page_size": 1}).json()["count"]
    assert before > 1
    CityPair.objects.filter(pk=CityPair.objects.order_by("pk").first().pk).delete()
    bump_atlas_version()  # what a recomputation does once its rows are written
    page = api.get(reverse("api:pair-list"), {"page_size": 1}).json()
    assert page["count"] == before - 1 == CityPair.objects.count()


def test_the_pairs_schema_describes_the_page_envelope_and_the_empty_parameters(client, db):
    """Schemathesis found the list documented as a bare array and '' sorts undocumented."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/pairs"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(page["properties"]) == {
        "method", "count", "count_exact", "page", "page_size", "next", "previous", "results"
    }  # fmt: skip
    assert set(page["required"]) == set(page["properties"])
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert "" in parameters["ordering"]["enum"]
    assert parameters["q"]["pattern"] == r"^[^\x00]*$"
    assert client.get("/api/pairs", {"ordering": ""}).status_code == 200


@pytest.mark.parametrize("name", ["night", "domestic"])
def test_a_yes_no_filter_refuses_what_is_neither(client, db, name):
    assert client.get("/api/pairs", {name: "-1"}).status_code == 400
    assert client.get("/api/pairs", {name: "true"}).status_code == 200
    assert client.get("/api/pairs", {name: ""}).status_code == 200


def test_pairs_come_by_pages_with_the_method_and_refuse_a_bad_page(atlas, api):
    url = reverse("api:pair-list")
    everything = api.get(url, {"page_size": 500, "method": "desnz"}).json()
    first = api.get(url, {"page_size": 2, "method": "desnz"}).json()
    assert first["method"] == "desnz"
    assert first["count"] == everything["count"] > 2
    assert first["page"] == 1
    assert first["page_size"] == 2
    assert "page=2" in first["next"]
    second = api.get(url, {"page_size": 2, "page": 2, "method": "desnz"}).json()
    ids = [row["id"] for row in everything["results"]]
    assert [row["id"] for row in first["results"] + second["results"]] == ids[:4]
    assert api.get(url, {"page": 999}).status_code == 404
    assert api.get(url, {"page_size": 0}).status_code == 400
    assert api.get(url, {"page": "x"}).status_code == 400


def test_the_pairs_schema_takes_its_filters_from_the_filterset(client, db):
    from drf_spectacular.generators import SchemaGenerator

    from apps.atlas.filters import CityPairFilterSet

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/pairs"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert set(CityPairFilterSet.base_filters) | {"method", "page", "page_size"} <= set(parameters)
    assert parameters["country"]["pattern"] == "^$|^[A-Za-z]{2}$"
    assert parameters["night"]["enum"] == ["false", "true", ""]
    assert parameters["max_rail_min"]["maximum"] == 10080
    assert set(operation["responses"]) >= {"200", "400", "404", "429"}


def test_the_pairs_list_costs_the_same_queries_for_more_pairs(
    atlas, api, django_assert_max_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            assert api.get(reverse("api:pair-list"), {"page_size": 500}).status_code == 200
        return len(context)

    before = queries()
    copy_every_pair()
    assert queries() == before


def test_the_cached_api_page_takes_its_links_from_each_request(atlas, client):
    url = reverse("api:pair-list")
    first = client.get(url, HTTP_HOST="localhost").json()
    again = client.get(url, HTTP_HOST="127.0.0.1").json()
    assert first["next"] == "http://localhost/api/pairs?page=2"
    assert again["next"] == "http://127.0.0.1/api/pairs?page=2"
    second = client.get(url, {"page": 2, "page_size": 20}).json()
    assert second["previous"] == "http://testserver/api/pairs?page_size=20"
    third = client.get(url, {"page": 3, "page_size": 20}).json()
    assert third["previous"] == "http://testserver/api/pairs?page=2&page_size=20"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_pairs_list_rows_are_the_serializers_own_byte_for_byte(atlas, api, language):
    """The list reads its rows as values, without model instances: under every method, each
    row is what :class:`PairListSerializer` makes of the pair, same keys in the same order."""
    from django.utils import translation

    from apps.atlas.serializers import PairListSerializer
    from apps.atlas.services import METHODS, method_factors, pair_co2
    from obrail.renderers import FastJSONRenderer

    pairs = list(CityPair.objects.order_by(*CityPair._meta.ordering, "id"))
    assert any(p.rail_is_upper_bound for p in pairs)
    assert any(p.rail_day is None for p in pairs)
    assert any(p.rail_day for p in pairs)
    render = FastJSONRenderer().render
    for method in METHODS:
        answer = api.get(
            reverse("api:pair-list"),
            {"page_size": 500, "method": method},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        factors = method_factors(method)
        context = {"co2": lambda pair, factors=factors: pair_co2(pair, factors)}
        with translation.override(language):
            expected = PairListSerializer(pairs, many=True, context=context).data
        assert answer.content.endswith(b'"results":' + render(expected) + b"}"), method
