"""The API reads JSON bodies only, and answers a JSON 400 for any it cannot read."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_json_nested_too_deeply_is_a_json_400_not_an_html_500(client):
    body = "[" * 100_000 + "]" * 100_000
    url = reverse("api:chemostat-simulate")
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "imbriqué trop profondément" in str(response.json()["errors"])
    # In the language the client asks for, like every other API error (#17).
    english = client.post(
        url, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 400
    assert "nested too deeply" in str(english.json()["errors"])


def test_a_form_body_is_refused_with_415(client):
    response = client.post(reverse("api:chemostat-simulate"), data={"D": "0.1"})
    assert response.status_code == 415
    assert response["Content-Type"].startswith("application/json")


def test_the_schema_advertises_json_bodies_only(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    bodies = [
        operation["requestBody"]["content"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    assert bodies
    assert all(set(content) == {"application/json"} for content in bodies)
