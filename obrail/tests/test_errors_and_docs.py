"""Error pages, malformed credentials and the API documentation pages."""

from __future__ import annotations

import base64

import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_is_a_json_404_in_the_error_schema(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"]["detail"][0].startswith(
        "Aucun point d'accès de l'API à l'adresse /api/nothing-here"
    )


def test_an_unknown_page_is_a_french_404_page_in_the_site_layout(client):
    response = client.get("/nulle-part", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    body = response.content.decode()
    assert "<h1>Page introuvable</h1>" in body
    assert 'href="#contenu"' in body


@pytest.mark.parametrize("path", ["/api/trajets", "/api/ecology/scenarios"])
def test_basic_credentials_with_a_nul_byte_are_refused_not_a_500(client, path):
    # The ecology API uses the project's default authentication classes.
    token = base64.b64encode(b"admin\x00:secret").decode()
    response = client.get(path, HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code in {401, 403}
    assert "errors" in response.json()


@pytest.mark.parametrize(
    ("path", "marker"), [("/api/docs", "swagger-ui"), ("/api/redoc", "<redoc spec-url")]
)
def test_api_docs_render_from_local_files_under_their_own_policy(client, path, marker):
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert marker in body
    assert "cdn" not in body.lower()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-eval" not in policy


def test_a_post_with_a_session_cookie_to_no_endpoint_is_the_json_404_not_the_csrf_page():
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_user("someone", password="x"))
    response = client.post("/api/models/not%20a%20slug/promote", {"reason": "r"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/trajets/abc", "/api/a/b/c.json"])
def test_every_unknown_api_address_is_a_json_404_even_in_debug(client, settings, path):
    settings.DEBUG = True  # Django's debug 404 page would answer in HTML
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"]["detail"] == [
        f"Aucun point d'accès de l'API à l'adresse {path} : voir /api/docs."
    ]


def test_the_admin_carries_the_observatory_name(client):
    html = client.get("/admin/login/").content.decode()
    assert "Administration ObRail Europe" in html
    assert "Administration de Django" not in html
