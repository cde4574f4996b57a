"""The OpenAPI schema says what the server does (issue #21: schemathesis --checks all)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def _parameter(schema: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    parameters = schema["paths"][path]["get"]["parameters"]
    return next(p["schema"] for p in parameters if p["name"] == name)


def test_public_reads_accept_anonymous_requests(schema):
    reads = [(path, op) for method, path, op in _operations(schema) if method == "GET"]
    assert reads
    assert all({} in op["security"] for _path, op in reads), [p for p, _ in reads]


def test_every_operation_documents_refused_credentials_and_throttling(schema):
    for method, path, operation in _operations(schema):
        for code in ("401", "403", "429"):
            content = operation["responses"][code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/ErrorResponse"}, (method, path)


def test_path_parameters_document_a_404_and_query_parameters_a_400(schema):
    assert "404" in schema["paths"]["/api/ecology/scenarios/{slug}"]["get"]["responses"]
    assert "400" in schema["paths"]["/api/ecology/scenarios"]["get"]["responses"]


def test_operations_with_parameters_document_well_formed_refusals_as_422(schema):
    for path in ("/api/trajets", "/api/stats/volumes", "/api/routes", "/api/ecology/simulate"):
        assert (
            "422" in schema["paths"][path]["get" if "simulate" not in path else "post"]["responses"]
        ), path
    assert "422" not in schema["paths"]["/api/ecology/scenarios/{slug}"]["get"]["responses"]


def test_filter_parameters_carry_their_bounds_and_patterns_and_accept_empty(schema):
    assert _parameter(schema, "/api/trajets", "max_distance")["maximum"] == 20_000
    country = _parameter(schema, "/api/stations", "country")["pattern"]
    assert country == "^$|^[A-Za-z]{2}$"
    assert "" in _parameter(schema, "/api/ecology/scenarios", "kind")["enum"]
    assert _parameter(schema, "/api/trajets", "departure_after")["pattern"].startswith("^$|")


def test_route_stations_may_not_be_blank(schema):
    assert _parameter(schema, "/api/routes", "from")["minLength"] == 1


def test_species_lists_state_their_length_bounds(schema):
    species = schema["components"]["schemas"]["SimulationInputRequest"]["properties"]["species"]
    assert (species["minItems"], species["maxItems"]) == (1, 6)


def test_competition_components_may_have_an_open_upper_bound(schema):
    components = schema["components"]["schemas"]["CompetitionResponse"]["properties"]
    assert components["components"]["items"]["items"]["nullable"] is True


@pytest.mark.django_db
def test_a_species_without_break_even_is_a_null_item_the_schema_allows(schema, client):
    # Schemathesis found the API answering break_even: [null] (Contois) against a schema of
    # non-null items.
    for name in ("EquilibriaResponse", "CompetitionResponse"):
        items = schema["components"]["schemas"][name]["properties"]["break_even"]["items"]
        assert items["nullable"] is True
    body = {
        "species": [{"law": "contois", "mu_max": 1.0, "K": 1.0, "x0": 0.1, "yield": 1.0}],
        "D": 0.5,
        "s_in": 5.0,
    }
    response = client.post("/api/ecology/equilibria", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["break_even"] == [None]


def test_text_filters_state_their_length_and_refuse_nul(schema):
    q = _parameter(schema, "/api/trajets", "q")
    assert q == {"type": "string", "pattern": r"^[^\x00]*$", "maxLength": 100}
    assert _parameter(schema, "/api/trajets", "origin")["maxLength"] == 100
    assert _parameter(schema, "/api/stats/volumes", "operator")["pattern"] == r"^[^\x00]*$"


def test_period_parameters_state_their_formats(schema):
    month = _parameter(schema, "/api/trajets", "month")["pattern"]
    assert re.match(month, "2025-11")
    assert re.match(month, "")
    assert not any(re.match(month, value) for value in ("0000-01", "2025-13", "2025-1"))
    assert _parameter(schema, "/api/trajets", "week") == {
        "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]
    }


def test_group_by_states_its_syntax(schema):
    pattern = _parameter(schema, "/api/stats/volumes", "group_by")["pattern"]
    assert all(re.match(pattern, v) for v in ("", "operator", "kind, country", "operator,kind"))
    assert not any(re.match(pattern, v) for v in ("5", "operator,", " operator;kind", "\toperator"))


def test_a_haldane_species_needs_a_number_ki_in_the_schema(schema):
    rule = schema["components"]["schemas"]["SpeciesInputRequest"]["anyOf"]
    assert rule[0] == {"properties": {"law": {"not": {"enum": ["haldane"]}}}}
    assert rule[1]["required"] == ["Ki"]
    assert "nullable" not in rule[1]["properties"]["Ki"]


def test_competition_takes_two_species_or_more_and_no_contois_law(schema):
    body = schema["components"]["schemas"]["CompetitionInputRequest"]["properties"]["species"]
    assert body["minItems"] == 2
    species = schema["components"]["schemas"]["CompetitionSpeciesRequest"]
    law = schema["components"]["schemas"][species["properties"]["law"]["$ref"].split("/")[-1]]
    assert law["enum"] == ["monod", "haldane", "linear"]


def test_scenarios_state_the_longest_horizon_their_simulation_accepts(schema):
    properties = schema["components"]["schemas"]["Scenario"]["properties"]
    assert properties["max_t_end"]["type"] == "number"


def test_every_read_documents_the_server_s_414_without_a_body(schema):
    for method, path, operation in _operations(schema):
        if method == "GET":
            assert set(operation["responses"]["414"]) == {"description"}, path
