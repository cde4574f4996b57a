"""The orjson renderer writes the documents DRF's JSON renderer wrote."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import numpy as np
import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict

from obrail.renderers import FastJSONRenderer

PARIS = dt.timezone(dt.timedelta(hours=1))
DOCUMENT = {
    "text": "Wien Hbf → Paris Est, « Nightjet »",
    "separators": "a\u2028b\u2029c",
    "numbers": [0, -3, 2**40, 0.1, 1e16, 12.5],
    "none": None,
    "flags": [True, False],
    "date": dt.date(2026, 11, 21),
    "time": dt.time(23, 5),
    "time_ms": dt.time(6, 7, 8, 123456),
    "utc": dt.datetime(2026, 11, 21, 14, 3, 7, 654321, tzinfo=dt.UTC),
    "local": dt.datetime(2026, 11, 21, 15, 3, tzinfo=PARIS),
    "duration": dt.timedelta(hours=2, minutes=5),
    "decimal": Decimal("12.50"),
    "uuid": uuid.UUID(int=7),
    "lazy": gettext_lazy("Opérateur"),
    "int_keys": {1: "a", 2: "b"},
    "ordered": ReturnDict({"count": 2, "results": [{"id": 1}]}, serializer=None),
    "numpy": {"float": np.float64(0.25), "int": np.int64(7), "array": np.array([1.5, 2.0])},
    "tuple": (1, "two"),
}


def render(renderer, data, media_type="application/json"):
    return renderer.render(data, accepted_media_type=media_type, renderer_context={})


def test_documents_parse_to_what_drf_wrote():
    ours = render(FastJSONRenderer(), DOCUMENT)
    drf_document = {**DOCUMENT, "numpy": {"float": 0.25, "int": 7, "array": [1.5, 2.0]}}
    assert json.loads(ours) == json.loads(render(JSONRenderer(), drf_document))
    parsed = json.loads(ours)
    assert parsed["utc"] == "2026-11-21T14:03:07.654321Z"
    assert (parsed["time"], parsed["date"]) == ("23:05:00", "2026-11-21")
    assert parsed["decimal"] == 12.5  # as DRF's encoder (serializer fields give text)
    assert parsed["int_keys"] == {"1": "a", "2": "b"}
    assert b"\\u2028" in ours
    assert b"\xe2\x80\xa8" not in ours
    assert b"Nightjet" in ours
    assert "→".encode() in ours  # UTF-8, not \\u escapes


def test_no_data_is_an_empty_body_and_indentation_is_left_to_drf():
    assert render(FastJSONRenderer(), None) == b""
    indented = render(FastJSONRenderer(), {"a": [1]}, "application/json; indent=2")
    assert indented == render(JSONRenderer(), {"a": [1]}, "application/json; indent=2")
    assert b"\n  " in indented


def test_values_it_cannot_encode_are_errors_not_silent():
    with pytest.raises(TypeError):
        render(FastJSONRenderer(), {"object": object()})


def test_api_responses_use_it(client, db):
    response = client.get("/api/operators")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, FastJSONRenderer)
