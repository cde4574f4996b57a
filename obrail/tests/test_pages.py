"""The page glue: one view answers the page or its HTMX fragment, and a service's refusal
lands on the form beside the right field."""

from __future__ import annotations

import pytest
from django import forms
from django.test import RequestFactory

from obrail.errors import InvalidInput, UnprocessableInput
from obrail.pages import add_service_errors, render_page_or_fragment

PAGE = "page.html"
FRAGMENT = "fragment.html"


@pytest.fixture
def templates(settings):
    """A page that includes its fragment, as the apps' pages do."""
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            PAGE: "<html><h1>Page</h1>{% include 'fragment.html' %}</html>",
                            FRAGMENT: "<p>fragment={{ is_fragment }} {{ count }}</p>",
                        },
                    )
                ]
            },
        }
    ]


def _respond(headers: dict[str, str], status: int = 200):
    request = RequestFactory().get("/trajets/?kind=night", headers=headers)
    return render_page_or_fragment(
        request, page=PAGE, fragment=FRAGMENT, context={"count": 3}, status=status
    )


def test_a_plain_htmx_request_gets_the_fragment_alone(templates):
    response = _respond({"HX-Request": "true"})
    assert response.content.decode() == "<p>fragment=True 3</p>"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HX-Request": "true", "HX-Boosted": "true"},
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ],
    ids=["first visit", "boosted link", "history restore"],
)
def test_a_visit_a_boosted_link_and_a_history_restore_get_the_whole_page(templates, headers):
    response = _respond(headers)
    assert response.content.decode() == "<html><h1>Page</h1><p>fragment=False 3</p></html>"


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_page_and_fragment_vary_on_every_header_that_chose_between_them(templates, headers):
    vary = [name.strip() for name in _respond(headers)["Vary"].split(",")]
    assert vary == ["HX-Request", "HX-Boosted", "HX-History-Restore-Request"]


def test_the_status_is_the_views_own(templates):
    assert _respond({"HX-Request": "true"}, status=422).status_code == 422
    assert _respond({}, status=422).status_code == 422


class _RouteForm(forms.Form):
    origin = forms.CharField()
    horizon = forms.IntegerField()


def _bound() -> _RouteForm:
    form = _RouteForm({"origin": "Paris", "horizon": "3"})
    assert form.is_valid()
    return form


def test_messages_go_beside_their_field_and_the_rest_above_the_form():
    form = _bound()
    add_service_errors(
        form,
        {"horizon": ["Trop long.", "Trop tard."], "detail": ["Calcul interrompu."]},
    )
    assert form.errors["horizon"] == ["Trop long.", "Trop tard."]
    assert form.non_field_errors() == ["Calcul interrompu."]
    assert "horizon" not in form.cleaned_data
    assert form.cleaned_data == {"origin": "Paris"}
    assert not form.is_valid()


def test_a_service_parameter_is_renamed_to_its_field():
    form = _bound()
    add_service_errors(
        form, InvalidInput({"from": ["Gare inconnue."]}), field_of={"from": "origin"}
    )
    assert form.errors == {"origin": ["Gare inconnue."]}


def test_a_parameter_the_form_has_no_input_for_is_a_non_field_error():
    form = _bound()
    add_service_errors(form, UnprocessableInput({"species": ["Une seule espèce."]}))
    assert form.non_field_errors() == ["Une seule espèce."]
    assert set(form.errors) == {"__all__"}


def test_an_unbound_form_takes_the_errors_of_its_default_computation():
    form = _RouteForm()
    add_service_errors(form, {"detail": ["Le serveur est très chargé."], "horizon": ["Trop."]})
    assert form.non_field_errors() == ["Le serveur est très chargé."]
    assert form.errors["horizon"] == ["Trop."]
