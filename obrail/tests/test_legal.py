"""The legal notice's deployment facts: from the environment, checked, never a placeholder."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from obrail.checks import check_legal_notice

pytestmark = pytest.mark.django_db

REQUIRED = (
    "LEGAL_PUBLISHER_NAME",
    "LEGAL_PUBLISHER_ADDRESS",
    "LEGAL_PUBLICATION_DIRECTOR",
    "LEGAL_HOST_NAME",
    "LEGAL_HOST_ADDRESS",
    "LEGAL_HOST_PHONE",
    "LEGAL_CONTACT_EMAIL",
    "LEGAL_DPO_EMAIL",
)
COMPLETE = {
    "LEGAL_PUBLISHER_NAME": "ObRail Europe",
    "LEGAL_PUBLISHER_ADDRESS": "12 rue des Rails, 75010 Paris",
    "LEGAL_PUBLICATION_DIRECTOR": "Camille Martin",
    "LEGAL_HOST_NAME": "Hébergeur SAS",
    "LEGAL_HOST_ADDRESS": "2 rue Kellermann, 59100 Roubaix",
    "LEGAL_HOST_PHONE": "+33 9 72 10 10 07",
    "LEGAL_CONTACT_EMAIL": "contact@example.org",
    "LEGAL_DPO_EMAIL": "dpo@example.org",
}


@pytest.fixture
def complete(settings):
    for name, value in COMPLETE.items():
        setattr(settings, name, value)
    return settings


def test_a_complete_configuration_passes_the_check(complete):
    assert check_legal_notice() == []


@pytest.mark.parametrize("variable", REQUIRED)
def test_each_missing_fact_is_a_deploy_warning_naming_its_variable(complete, variable):
    setattr(complete, variable, "  ")
    warnings = check_legal_notice()
    assert [w.id for w in warnings] == ["obrail.W001"]
    assert warnings[0].msg.startswith(f"{variable} is not set: the legal notice")
    assert variable in warnings[0].hint


def test_check_deploy_reports_the_missing_host_phone(complete):
    complete.LEGAL_HOST_PHONE = ""
    with pytest.raises(SystemCheckError, match="LEGAL_HOST_PHONE is not set"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")


def test_the_page_shows_every_fact_as_configured(client, complete):
    html = client.get(reverse("pages:legal")).content.decode()
    for value in COMPLETE.values():
        assert value in html
    assert "Non renseigné" not in html


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_fact_is_never_a_placeholder_and_is_named_only_in_debug(client, complete, debug):
    complete.DEBUG = debug
    complete.LEGAL_PUBLICATION_DIRECTOR = ""
    complete.LEGAL_HOST_PHONE = ""

    html = client.get(reverse("pages:legal")).content.decode()

    assert "Hébergeur SAS" in html
    assert ("<code>LEGAL_HOST_PHONE</code>" in html) is debug
    assert ("<code>LEGAL_PUBLICATION_DIRECTOR</code>" in html) is debug
    # Without DEBUG the empty section is left out, heading included.
    assert ("Directeur de la publication" in html) is debug
    for placeholder in ("None", "LEGAL_", "à compléter", "XXX"):
        assert debug or placeholder not in html
