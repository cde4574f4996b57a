"""The HTMX helper tells fragment requests from requests that need a whole page."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from obrail.htmx import is_htmx_fragment_request


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-Boosted": "true"}, False),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
    ],
)
def test_only_plain_htmx_requests_want_a_fragment(headers, expected):
    request = RequestFactory().get("/", headers=headers)
    assert is_htmx_fragment_request(request) is expected
