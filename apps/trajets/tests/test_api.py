"""Integration tests of /api/trajets, /api/stations, /api/operators and the API docs."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json

import hypothesis
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from hypothesis import strategies as st
from openapi_spec_validator import validate
from rest_framework import serializers

from apps.trajets.api import TrajetViewSet
from apps.trajets.models import (
    CalendarException,
    EmissionFactor,
    Operator,
    Station,
    Trajet,
    TrajetProvenance,
)
from apps.trajets.rows import LIST_VALUES
from apps.trajets.serializers import (
    OperatorSerializer,
    StationSerializer,
    TrajetBaseSerializer,
    TrajetDetailSerializer,
    TrajetListSerializer,
)
from apps.trajets.tests.factories import (
    make_operator,
    make_run,
    make_source,
    make_station,
    make_trajet,
)
from obrail import api_docs
from obrail.api import pagination
from obrail.api.csv_export import CSV_END_MARKER, safe_cell, stream_csv
from obrail.api.pagination import EstimatingCountPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def night_train() -> object:
    wien = make_station("Wien Hbf", country="AT", uic_code="8101003", time_zone="Europe/Vienna")
    munchen = make_station("München Hbf", country="DE", uic_code="8000261")
    paris = make_station("Paris Est", uic_code="8711300")
    factor = EmissionFactor.objects.create(
        mode="rail",
        kg_co2e_per_passenger_km=0.0065,
        label="Rail, EU average",
        source_name="EEA",
    )
    trajet = make_trajet(
        [wien, munchen, paris],
        times=[(None, "19:10"), ("23:30", "23:45"), ("09:55", None)],
        operator=make_operator("oebb", "ÖBB", "AT"),
        kind="night",
        category="Nightjet",
        distance_km=1400.0,
        co2_rail_kg=9.1,
        co2_flight_kg=185.3,
        flight_distance_km=1130.0,
        rail_emission_factor=factor,
        weekdays="1010100",
    )
    CalendarException.objects.create(trajet=trajet, date=dt.date(2025, 12, 24), is_added=False)
    CalendarException.objects.create(trajet=trajet, date=dt.date(2025, 12, 27), is_added=True)
    TrajetProvenance.objects.create(
        trajet=trajet,
        source=trajet.source,
        source_record_id=trajet.source_record_id,
        import_run=trajet.import_run,
    )
    other_run = make_run(make_source("back-on-track", format="json"))
    TrajetProvenance.objects.create(
        trajet=trajet, source=other_run.source, source_record_id="NJ466", import_run=other_run
    )
    return trajet


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_trajet_list_item_carries_stops_summary_and_co2(client, night_train):
    body = get_json(client, "/api/trajets")
    assert body["count"] == 1
    assert body["page"] == 1
    assert body["page_size"] == 50
    item = body["results"][0]
    assert item["id"] == night_train.pk
    assert item["operator"] == {"id": night_train.operator_id, "code": "oebb", "name": "ÖBB"}
    assert item["origin"]["name"] == "Wien Hbf"
    assert item["origin"]["uic_code"] == "8101003"
    assert item["destination"]["country"] == "FR"
    assert item["kind"] == "night"
    assert item["departure_time"] == "19:10:00"
    assert item["arrival_time"] == "09:55:00"
    assert item["arrival_day_offset"] == 1
    assert item["weekdays"] == ["monday", "wednesday", "friday"]
    assert item["stops"] == {"count": 3, "via": ["München Hbf"]}
    assert item["co2"] == {
        "rail_kg": 9.1,
        "flight_kg": 185.3,
        "saved_kg": 176.2,
        "rail_to_flight_ratio": 0.0491,
        "method": "ademe",
        "method_label": "ADEME Base Carbone (avion avec effets hors CO2)",
    }


def test_co2_comparison_is_null_when_a_figure_is_unknown(client):
    make_trajet(co2_rail_kg=None, co2_flight_kg=120.0)
    co2 = get_json(client, "/api/trajets")["results"][0]["co2"]
    assert co2 == {
        "rail_kg": None,
        "flight_kg": 120.0,
        "saved_kg": None,
        "rail_to_flight_ratio": None,
        "method": "ademe",
        "method_label": "ADEME Base Carbone (avion avec effets hors CO2)",
    }


def test_list_is_paginated_with_total_count(client):
    stations = [make_station(), make_station()]
    for _ in range(7):
        make_trajet(stations)
    body = get_json(client, "/api/trajets?page_size=3&page=3")
    assert body["count"] == 7
    assert body["page"] == 3
    assert len(body["results"]) == 1
    assert body["next"] is None
    assert "page=2" in body["previous"]
    assert "page_size=3" in body["previous"]


def test_default_page_holds_fifty_rows(client):
    stations = [make_station(), make_station()]
    for _ in range(51):
        make_trajet(stations)
    body = get_json(client, "/api/trajets")
    assert len(body["results"]) == 50
    assert body["count"] == 51


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("page_size=501", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=ten", "page_size"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=two", "page"),
        ("page=200000000000000000", "page"),  # its row offset overflowed bigint: was a 500
        ("page=", "page"),
        ("page_size=", "page_size"),
    ],
)
def test_malformed_pagination_is_a_400_naming_the_parameter(client, query, param):
    for url in ("/api/trajets", "/api/operators", "/api/stations"):
        assert list(get_json(client, f"{url}?{query}", 400)["errors"]) == [param]
        # A CSV export ignores the pages but not their bounds (schemathesis found it).
        assert list(get_json(client, f"{url}?{query}&format=csv", 400)["errors"]) == [param]


def test_the_highest_page_number_allowed_is_a_404_past_the_end_not_a_500(client):
    make_trajet()
    assert "detail" in get_json(client, "/api/trajets?page=10000000&page_size=500", 404)["errors"]


def test_page_past_the_end_is_a_404(client):
    make_trajet()
    assert "detail" in get_json(client, "/api/trajets?page=5", 404)["errors"]


def test_filters_are_wired_and_combine(client, night_train):
    make_trajet(kind="day")
    assert get_json(client, "/api/trajets?kind=night&country=DE&origin=wien")["count"] == 1
    assert get_json(client, "/api/trajets?kind=night&country=IT")["count"] == 0
    assert get_json(client, "/api/trajets?date=2025-12-24&operator=oebb")["count"] == 0
    assert get_json(client, "/api/trajets?date=2025-12-27&operator=oebb")["count"] == 1


def test_well_formed_values_the_data_or_a_rule_refuses_are_422s(client, night_train):
    body = get_json(client, "/api/trajets?operator=atlantis-rail", 422)
    assert body == {"errors": {"operator": ["opérateur inconnu : « atlantis-rail »."]}}
    conflicts = get_json(client, "/api/trajets?date=2025-12-27&week=2025-12-22", 422)
    assert list(conflicts["errors"]) == ["week"]
    assert list(
        get_json(client, "/api/trajets?min_duration=60&max_duration=30", 422)["errors"]
    ) == ["max_duration"]
    # A malformed value beside a refused one: the request is malformed.
    assert set(get_json(client, "/api/trajets?operator=x&kind=evening", 400)["errors"]) == {
        "operator",
        "kind",
    }


def test_an_empty_number_is_a_400_but_an_empty_text_no_filter(client, night_train):
    assert list(get_json(client, "/api/trajets?min_distance=", 400)["errors"]) == ["min_distance"]
    assert get_json(client, "/api/trajets?q=&origin=&country=&date=")["count"] == 1


def test_the_last_week_python_knows_is_an_empty_week_not_a_500(client, night_train):
    body = get_json(client, "/api/trajets?week=9999-12-31")
    assert (body["count"], body["period"]["end"]) == (0, "9999-12-31")
    assert get_json(client, "/api/stats/volumes?week=9999-12-31")["results"] == []


def test_bad_filters_give_one_400_naming_each_parameter(client):
    body = get_json(client, "/api/trajets?kind=evening&country=France&date=31/12/2025", 400)
    assert set(body["errors"]) == {"kind", "country", "date"}
    assert body["errors"]["kind"] == ["doit être l'une des valeurs : day, night, overnight."]


@pytest.mark.parametrize("cache_seconds", [0, 600])
def test_a_station_matching_nothing_gives_an_empty_list_and_zero_volumes(
    client, settings, night_train, cache_seconds
):
    settings.API_COUNT_CACHE_SECONDS = cache_seconds
    body = get_json(client, "/api/trajets?origin=Atlantis")
    assert (body["count"], body["results"]) == (0, [])
    volumes = get_json(client, "/api/stats/volumes?destination=Atlantis&group_by=kind")
    assert volumes["results"] == []
    assert volumes["total"] == {"services": 0, "departures": 0, "km_served": 0.0}


def test_unknown_query_parameters_are_ignored(client, night_train):
    assert get_json(client, "/api/trajets?colour=blue")["count"] == 1


def test_detail_has_ordered_stops_calendar_and_every_provenance(client, night_train):
    body = get_json(client, f"/api/trajets/{night_train.pk}")
    assert [stop["station"]["name"] for stop in body["stops"]] == [
        "Wien Hbf",
        "München Hbf",
        "Paris Est",
    ]
    assert [stop["sequence"] for stop in body["stops"]] == [0, 1, 2]
    assert body["stops"][0]["arrival_time"] is None
    assert body["stops"][1]["departure_time"] == "23:45:00"
    assert body["calendar"] == {
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
        "weekdays": ["monday", "wednesday", "friday"],
        "exceptions": [
            {"date": "2025-12-24", "is_added": False},
            {"date": "2025-12-27", "is_added": True},
        ],
    }
    assert [(p["source"]["name"], p["source_record_id"]) for p in body["provenance"]] == [
        ("test-feed", night_train.source_record_id),
        ("back-on-track", "NJ466"),
    ]
    assert body["provenance"][1]["import_run"]["status"] == "succeeded"
    assert body["source"]["licence"] == "CC-BY-4.0"
    assert body["rail_emission_factor"]["kg_co2e_per_passenger_km"] == 0.0065
    assert body["flight_emission_factor"] is None
    assert body["kind_reason"] == "test"
    assert body["co2"]["saved_kg"] == 176.2


@pytest.mark.parametrize(
    "path", ["/api/trajets/999999", "/api/stations/999999", "/api/operators/999999"]
)
def test_unknown_id_is_a_404_in_the_error_schema(client, path):
    assert list(get_json(client, path, 404)["errors"]) == ["detail"]


def test_non_numeric_id_is_a_404(client):
    assert client.get("/api/trajets/abc").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_405_for_everyone(client, admin_client, night_train, method):
    for user_client in (client, admin_client):
        assert getattr(user_client, method)("/api/trajets").status_code == 405
        response = getattr(user_client, method)(f"/api/trajets/{night_train.pk}")
        assert response.status_code == 405
        assert list(response.json()["errors"]) == ["detail"]
    assert client.post("/api/stats/volumes").status_code == 405


def test_csv_export_streams_every_filtered_row(client, night_train):
    make_trajet(kind="day")
    response = client.get("/api/trajets?format=csv&kind=night")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="trajets.csv"' in response["Content-Disposition"]
    *lines, end = b"".join(response.streaming_content).decode().splitlines()
    assert end == "# complete: 1 rows"
    rows = list(csv.DictReader(lines))
    assert len(rows) == 1
    assert rows[0]["id"] == str(night_train.pk)
    assert rows[0]["operator"] == "oebb"
    assert rows[0]["via"] == "München Hbf"
    assert rows[0]["weekdays"] == "1010100"
    assert rows[0]["co2_saved_kg"] == "176.2"


def test_csv_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(client):
    origin = make_station('=HYPERLINK("http://evil.example","Lyon")')
    destination = make_station("@SUM(1+1)")
    make_trajet([origin, destination], category="-2+3")
    content = b"".join(client.get("/api/trajets?format=csv").streaming_content).decode()
    row = next(csv.DictReader(content.splitlines()))
    assert row["origin"] == """'=HYPERLINK("http://evil.example","Lyon")"""
    assert row["destination"] == "'@SUM(1+1)"
    assert row["category"] == "'-2+3"
    assert row["id"].isdigit()  # numbers stay numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [("-12.5", "-12.5"), ("+3", "+3"), ("-", "'-"), ("\tx", "'\tx"), ("Paris", "Paris"),
     (None, ""), (-4, -4)],
)  # fmt: skip
def test_safe_cell_keeps_numbers_and_quotes_formulas(value, expected):
    assert safe_cell(value) == expected


def test_csv_export_is_not_paginated(client):
    stations = [make_station(), make_station()]
    for _ in range(60):
        make_trajet(stations)
    content = b"".join(client.get("/api/trajets?format=csv").streaming_content).decode()
    assert len(content.strip().splitlines()) == 62
    assert content.endswith("# complete: 60 rows\r\n")


def test_csv_export_cut_short_lacks_the_end_marker():
    def rows():
        yield {"id": 1}
        raise ConnectionError("database went away")

    response = stream_csv(rows(), columns=["id"], flatten=dict, filename="x.csv")
    received: list[str] = []

    def read_all() -> None:
        received.extend(chunk.decode() for chunk in response.streaming_content)

    with pytest.raises(ConnectionError):
        read_all()
    assert received == ["id\r\n", "1\r\n"]
    assert not any(chunk.startswith(CSV_END_MARKER) for chunk in received)


def test_csv_export_errors_stay_json(client):
    response = client.get("/api/trajets?format=csv&kind=x")
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"kind": ["doit être l'une des valeurs : day, night, overnight."]}
    }


def test_station_search_for_autocomplete(client):
    lyon = make_station("Lyon Part-Dieu", uic_code="8772319")
    make_station("Marseille Saint-Charles")
    body = get_json(client, "/api/stations?q=lyon")
    assert [row["id"] for row in body["results"]] == [lyon.pk]
    assert body["results"][0]["uic_code"] == "8772319"
    assert get_json(client, "/api/stations?q=8772319")["count"] == 1
    assert get_json(client, f"/api/stations/{lyon.pk}")["name"] == "Lyon Part-Dieu"
    assert list(get_json(client, "/api/stations?country=FRA", 400)["errors"]) == ["country"]


def test_operator_search_and_detail(client):
    db = make_operator("db", "DB Fernverkehr", "DE")
    make_operator("sncf", "SNCF Voyageurs", "FR")
    assert [row["code"] for row in get_json(client, "/api/operators?q=DB")["results"]] == ["db"]
    assert get_json(client, f"/api/operators/{db.pk}")["country"] == "DE"
    csv_text = b"".join(client.get("/api/operators?format=csv").streaming_content).decode()
    assert csv_text.splitlines()[0] == "id,code,name,country,website"
    assert csv_text.splitlines()[1:] == [
        f"{db.pk},db,DB Fernverkehr,DE,",
        csv_text.splitlines()[2],
        "# complete: 2 rows",
    ]


def test_throttling_rate_comes_from_the_settings(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "5/minute"},
    }
    assert client.get("/api/operators").status_code == 200
    assert client.get("/api/operators").status_code == 200
    response = client.get("/api/operators")
    assert response.status_code == 429
    assert list(response.json()["errors"]) == ["detail"]
    assert int(response["Retry-After"]) > 0


def test_authenticated_clients_have_their_own_rate(settings):
    from django.test import Client

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute", "user": "3/minute"},
    }
    user = get_user_model().objects.create_user("partner", password="x")
    user_client = Client()
    user_client.force_login(user)
    statuses = [user_client.get("/api/operators").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_cors_allows_configured_origins_only(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example.org"]
    allowed = client.get("/api/operators", HTTP_ORIGIN="https://partner.example.org")
    assert allowed["Access-Control-Allow-Origin"] == "https://partner.example.org"
    refused = client.get("/api/operators", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in refused


def test_api_responses_carry_security_headers(client):
    response = client.get("/api/operators")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_schema_is_valid_openapi_and_documents_every_endpoint(client):
    response = client.get("/api/schema?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    paths = schema["paths"]
    for path in ("/api/trajets", "/api/stations", "/api/operators", "/api/stats/volumes"):
        operation = paths[path]["get"]
        assert {"200", "400", "429"} <= set(operation["responses"]), path
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert "format" in names, path
    for path in ("/api/trajets/{id}", "/api/stations/{id}", "/api/operators/{id}"):
        assert {"200", "404"} <= set(paths[path]["get"]["responses"]), path
    trajet_params = {p["name"] for p in paths["/api/trajets"]["get"]["parameters"]}
    assert trajet_params >= {
        "origin",
        "destination",
        "country",
        "operator",
        "kind",
        "date",
        "departure_after",
        "departure_before",
        "min_duration",
        "max_duration",
        "min_distance",
        "max_distance",
        "q",
        "ordering",
        "page",
        "page_size",
    }
    volume_params = {p["name"] for p in paths["/api/stats/volumes"]["get"]["parameters"]}
    assert volume_params >= trajet_params - {"page", "page_size"} | {"group_by"}
    error = paths["/api/trajets"]["get"]["responses"]["400"]["content"]["application/json"]
    assert error["schema"]["$ref"].endswith("/ErrorResponse")
    assert error["examples"]


def test_swagger_ui_uses_local_assets_and_a_docs_only_csp():
    request = RequestFactory().get("/api/docs")
    response = api_docs.swagger_ui(request)
    response.render()
    html = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "https://" not in html
    assert "<script>" not in html  # the init script is served apart (script-src 'self')
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-eval" not in csp
    script = api_docs.swagger_ui(RequestFactory().get("/api/docs?script="))
    script.render()
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_uses_local_assets_and_no_inline_script():
    response = api_docs.redoc(RequestFactory().get("/api/redoc"))
    html = response.content.decode()
    assert 'src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"' in html
    assert 'spec-url="/api/schema"' in html
    assert "https://" not in html
    assert "<script>" not in html
    assert "<style" not in html
    assert "worker-src 'self' blob:" in response["Content-Security-Policy"]


def test_docs_assets_are_served_locally(client):
    for asset in (
        "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
    ):
        response = client.get(asset)
        assert response.status_code == 200, asset


def test_total_count_is_cached_until_the_next_successful_import(client, settings):
    settings.API_COUNT_CACHE_SECONDS = 600
    first = make_trajet()
    # Full pages (page_size=1) need a count; a short page is its own exact count.
    assert get_json(client, "/api/trajets?page_size=1")["count"] == 1
    make_trajet(run=first.import_run)
    assert get_json(client, "/api/trajets?page_size=1")["count"] == 1
    assert get_json(client, "/api/trajets?kind=day&page_size=1")["count"] == 2  # counted anew
    assert get_json(client, "/api/trajets")["count"] == 2  # a short page counts itself
    make_run()
    assert get_json(client, "/api/trajets?page_size=1")["count"] == 2


def test_a_short_page_gives_the_exact_count_without_a_count_query(client):
    for _ in range(3):
        make_trajet()

    def get(url: str) -> tuple[dict, bool]:
        with CaptureQueriesContext(connection) as captured:
            body = get_json(client, url)
        return body, any(
            q["sql"].upper().startswith("SELECT COUNT(") for q in captured.captured_queries
        )

    body, counted = get("/api/trajets?page_size=5")
    assert (body["count"], body["count_exact"], counted) == (3, True, False)
    body, counted = get("/api/trajets?page_size=2&page=2")
    assert (body["count"], body["next"], len(body["results"]), counted) == (3, None, 1, False)
    body, counted = get("/api/trajets?page_size=2")
    assert (body["count"], counted) == (3, True)
    assert body["next"] is not None
    get_json(client, "/api/trajets?page_size=2&page=3", 404)


def test_count_cache_can_be_disabled(client, settings):
    settings.API_COUNT_CACHE_SECONDS = 0
    first = make_trajet()
    assert get_json(client, "/api/trajets")["count"] == 1
    make_trajet(run=first.import_run)
    assert get_json(client, "/api/trajets")["count"] == 2


@pytest.mark.parametrize(
    "url",
    [
        "/api/trajets?format=xml",
        "/api/stats/volumes?format=pdf",
        "/api/trajets?format=",
        "/api/operators?format=",
    ],
)
def test_unknown_or_empty_format_is_a_400_naming_it(client, url):
    assert get_json(client, url, 400) == {
        "errors": {"format": ["doit être l'une des valeurs : json, csv."]}
    }


@pytest.mark.parametrize("param", ["q", "origin", "country", "operator", "date", "ordering"])
def test_nul_bytes_in_parameters_are_400s_not_database_errors(client, param):
    assert list(get_json(client, f"/api/trajets?{param}=a%00b", 400)["errors"]) == [param]


def test_bad_basic_credentials_are_a_401_in_the_error_schema(client, night_train):
    response = client.get(f"/api/trajets/{night_train.pk}", HTTP_AUTHORIZATION="Basic Zm9vOmJhcg==")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert list(response.json()["errors"]) == ["detail"]


def test_hand_built_list_rows_match_the_declared_fields(night_train):
    trajet = Trajet.objects.with_related().prefetch_related("stops__station").get(pk=night_train.pk)
    serializer = TrajetListSerializer(trajet)
    declared = TrajetBaseSerializer.to_representation(serializer, trajet)
    assert json.loads(json.dumps(serializer.data)) == json.loads(json.dumps(declared))
    assert serializer.data["stops"] == {"count": 3, "via": ["München Hbf"]}


def test_list_rows_read_as_values_equal_the_rows_of_model_instances(night_train):
    instance = Trajet.objects.for_api_list().get(pk=night_train.pk)
    values = Trajet.objects.filter(pk=night_train.pk).values("id", *LIST_VALUES).get()
    serializer = TrajetListSerializer()
    assert serializer.to_representation(values) == serializer.to_representation(instance)
    assert serializer.to_representation(values)["stops"] == {"count": 3, "via": ["München Hbf"]}


def test_hand_built_detail_matches_the_declared_fields(client, night_train):
    response_data = get_json(client, f"/api/trajets/{night_train.pk}")
    view = TrajetViewSet(action="retrieve", kwargs={}, format_kwarg=None, request=None)
    trajet = view.get_queryset().get(pk=night_train.pk)
    serializer = TrajetDetailSerializer(trajet)
    declared = serializers.ModelSerializer.to_representation(serializer, trajet)
    assert response_data == json.loads(json.dumps(declared, cls=DjangoJSONEncoder))
    assert [stop["station"]["name"] for stop in response_data["stops"]][1] == "München Hbf"
    assert response_data["provenance"][0]["import_run"]["started_at"]
    assert len(response_data["calendar"]["exceptions"]) == 2
    assert response_data["rail_emission_factor"]["kg_co2e_per_passenger_km"] > 0


def test_pages_keep_the_requested_order_and_filters(client):
    stations = [make_station(), make_station()]
    for distance in (500.0, 100.0, 900.0, 300.0, 700.0, 200.0, 800.0):
        make_trajet(stations, distance_km=distance, kind="night" if distance > 250 else "day")
    pages = [
        get_json(client, f"/api/trajets?kind=night&ordering=-distance&page_size=2&page={page}")
        for page in (1, 2, 3)
    ]
    distances = [row["distance_km"] for page in pages for row in page["results"]]
    assert distances == [900.0, 800.0, 700.0, 500.0, 300.0]
    assert pages[2]["count"] == 5


FUZZED_PARAMETERS = (
    "origin",
    "destination",
    "country",
    "operator",
    "kind",
    "date",
    "departure_after",
    "departure_before",
    "min_duration",
    "max_distance",
    "q",
    "ordering",
    "page",
    "page_size",
    "format",
    "group_by",
)


@hypothesis.settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(
    query=st.dictionaries(
        st.sampled_from(FUZZED_PARAMETERS),
        st.text(st.characters(codec="utf-8"), max_size=30),
        max_size=4,
    ),
    path=st.sampled_from(["/api/trajets", "/api/stats/volumes", "/api/stations"]),
)
def test_any_parameter_value_gives_a_200_or_a_4xx_never_a_500(client, night_train, query, path):
    cache.clear()
    response = client.get(path, query)
    assert response.status_code in {200, 400, 404, 422}, (query, response.content[:300])
    if response.status_code != 200:
        assert set(response.json()["errors"]) <= {*FUZZED_PARAMETERS, "detail"}


def test_a_session_cookie_with_a_nul_byte_is_no_session_not_a_500(client, night_train):
    response = client.get("/api/trajets", HTTP_COOKIE="sessionid=abcdefgh\x00ijkl")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_basic_credentials_with_a_nul_byte_are_a_401_not_a_500(client):
    token = base64.b64encode(b"part\x00ner:secret").decode()
    response = client.get("/api/operators", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["detail"]


def test_counts_up_to_the_limit_are_exact(client, settings):
    settings.API_EXACT_COUNT_LIMIT = 3
    first = make_trajet()
    for _ in range(2):
        make_trajet(run=first.import_run)
    body = get_json(client, "/api/trajets")
    assert (body["count"], body["count_exact"]) == (3, True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates come from PostgreSQL")
def test_counts_above_the_limit_are_flagged_estimates_until_a_short_page_ends_them(
    client, settings
):
    settings.API_EXACT_COUNT_LIMIT = 2
    first = make_trajet()
    for _ in range(4):
        make_trajet(run=first.import_run)
    body = get_json(client, "/api/trajets?page_size=2")
    assert body["count_exact"] is False
    assert body["count"] >= 3
    assert len(body["results"]) == 2
    last = get_json(client, "/api/trajets?page_size=2&page=3")
    assert (last["count"], last["count_exact"], len(last["results"])) == (5, True, 1)
    assert last["next"] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates come from PostgreSQL")
def test_a_page_past_an_estimated_end_is_empty_not_an_error(client, settings):
    settings.API_EXACT_COUNT_LIMIT = 2
    first = make_trajet()
    for _ in range(2):
        make_trajet(run=first.import_run)
    body = get_json(client, "/api/trajets?page_size=1&page=10000")
    assert (body["count_exact"], body["results"]) == (False, [])


def test_the_schema_documents_whether_the_count_is_exact(client):
    schema = client.get("/api/schema", HTTP_ACCEPT="application/json").json()
    page = schema["components"]["schemas"]["PaginatedTrajetListList"]
    assert "count_exact" in page["required"]
    assert page["properties"]["count_exact"]["type"] == "boolean"
    assert "estimate" in page["properties"]["count"]["description"]


def test_an_estimate_below_the_real_count_does_not_cut_pages_short(client, settings, monkeypatch):
    monkeypatch.setattr(EstimatingCountPaginator, "_count", lambda paginator: (3, False))
    settings.API_COUNT_CACHE_SECONDS = 0
    first = make_trajet()
    for _ in range(4):
        make_trajet(run=first.import_run)
    second = get_json(client, "/api/trajets?page_size=2&page=2")
    assert (second["count"], second["count_exact"], len(second["results"])) == (3, False, 2)
    third = get_json(client, "/api/trajets?page_size=2&page=3")
    assert (third["count"], third["count_exact"], len(third["results"])) == (5, True, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates come from PostgreSQL")
@pytest.mark.parametrize(("estimate", "counts"), [(1_000_000, False), (15, True)])
def test_a_count_far_above_the_limit_is_estimated_without_counting(
    client, settings, monkeypatch, estimate, counts
):
    settings.API_EXACT_COUNT_LIMIT = 2
    settings.API_COUNT_CACHE_SECONDS = 0
    monkeypatch.setattr(
        EstimatingCountPaginator, "_planner_estimate", staticmethod(lambda queryset: estimate)
    )
    monkeypatch.setattr("obrail.api.pagination._table_rows", lambda queryset: 10**9)
    first = make_trajet()
    for _ in range(3):
        make_trajet(run=first.import_run)
    with CaptureQueriesContext(connection) as captured:
        body = get_json(client, "/api/trajets?page_size=2")
    assert (body["count"], body["count_exact"]) == (estimate, False)
    counted = any(q["sql"].upper().startswith("SELECT COUNT(") for q in captured.captured_queries)
    assert counted is counts


@pytest.mark.parametrize("seconds", [0, 600])
def test_a_page_past_the_end_of_a_filter_matching_nothing_is_a_404_cache_on_or_off(
    client, settings, seconds
):
    settings.API_COUNT_CACHE_SECONDS = seconds
    make_trajet()
    assert get_json(client, "/api/trajets?origin=Atlantis")["count"] == 0
    get_json(client, "/api/trajets?origin=Atlantis&page=2", 404)


def test_a_list_matching_nothing_by_construction_counts_zero_without_sql(
    settings, django_assert_num_queries
):
    settings.API_COUNT_CACHE_SECONDS = 0
    settings.API_EXACT_COUNT_LIMIT = 2
    paginator = EstimatingCountPaginator(Trajet.objects.filter(pk__in=[]), 1)
    with django_assert_num_queries(0):
        assert (paginator.count, paginator.count_exact) == (0, True)


@pytest.mark.parametrize(
    ("url", "serializer_class", "model"),
    [
        ("/api/stations?page_size=500", StationSerializer, Station),
        ("/api/operators?page_size=500", OperatorSerializer, Operator),
    ],
)
def test_station_and_operator_rows_read_as_values_equal_drf_output(
    client, night_train, url, serializer_class, model
):
    make_operator("ns", "Nederlandse Spoorwegen", "NL")  # no website: a null
    rows = get_json(client, url)["results"]
    declared = serializers.ModelSerializer.to_representation
    expected = [
        json.loads(json.dumps(declared(serializer_class(), item), cls=DjangoJSONEncoder))
        for item in model.objects.order_by("name", "id")
    ]
    assert rows == expected
    assert len(rows) >= 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates come from PostgreSQL")
def test_a_table_too_small_for_a_trusted_estimate_is_counted_without_asking_the_planner(
    client, settings
):
    settings.API_EXACT_COUNT_LIMIT = 2
    settings.API_COUNT_CACHE_SECONDS = 0
    for _ in range(4):
        make_station()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE trajets_station")
    pagination._table_sizes.clear()
    with CaptureQueriesContext(connection) as captured:
        body = get_json(client, "/api/stations?page_size=1")
    statements = [q["sql"] for q in captured.captured_queries]
    assert (body["count"], body["count_exact"]) == (3, False)  # the limit + 1, not exact
    assert not any(sql.startswith("EXPLAIN") for sql in statements)
    assert any("COUNT(" in sql.upper() for sql in statements)
    assert pagination._table_rows(Station.objects.all()) == 4


def test_durations_are_whole_minutes_as_the_schema_says(client, night_train):
    # Schemathesis found min_duration=1e-05 accepted against the schema's integer.
    for value in ("1e-05", "2.5"):
        assert list(get_json(client, f"/api/trajets?min_duration={value}", 400)["errors"]) == [
            "min_duration"
        ]
    assert get_json(client, "/api/trajets?min_duration=600&max_duration=900")["count"] == 1
