"""Incidents, maintenance windows and data delays declared by admins, on the status page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.monitoring.models import ServiceNotice

pytestmark = pytest.mark.django_db
NOW = timezone.now()
HOUR = dt.timedelta(hours=1)


def notice(**fields) -> ServiceNotice:
    values = {
        "kind": ServiceNotice.Kind.INCIDENT,
        "state": ServiceNotice.State.ONGOING,
        "title": "Imports interrompus",
        "starts_at": NOW - HOUR,
        "components": ["data"],
    } | fields
    return ServiceNotice(**values)


def errors_of(item: ServiceNotice) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        item.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"ends_at": NOW - 2 * HOUR}, "ends_at", "La fin doit être après le début."),
        ({"ends_at": NOW - HOUR}, "ends_at", "La fin doit être après le début."),
        (
            {"kind": "maintenance", "state": "planned", "starts_at": NOW + HOUR},
            "ends_at",
            "Indiquez la fin prévue de la maintenance.",
        ),
        ({"state": "resolved"}, "ends_at", "Un événement terminé doit avoir une fin."),
        (
            {"state": "resolved", "ends_at": NOW + HOUR},
            "state",
            "La fin est dans le futur : l'événement ne peut pas être terminé.",
        ),
        (
            {"state": "planned"},
            "state",
            "Le début est passé : choisissez « en cours » ou « terminé ».",
        ),
        (
            {"starts_at": NOW + HOUR},
            "state",
            "Le début est dans le futur : choisissez « planifié ».",
        ),
        ({"components": []}, "components", "Ce champ ne peut pas être vide."),
        ({"components": ["moon"]}, "components", "Élément inconnu : moon."),
        ({"title": ""}, "title", "Ce champ ne peut pas être vide."),
    ],
)
def test_an_inconsistent_notice_is_refused_in_french_on_its_field(fields, field, message):
    assert message in errors_of(notice(**fields))[field]


def test_a_consistent_notice_passes_validation():
    notice().full_clean()
    notice(kind="maintenance", state="planned", starts_at=NOW + HOUR, ends_at=NOW + 3 * HOUR)
    notice(state="resolved", ends_at=NOW - dt.timedelta(minutes=5)).full_clean()


def test_the_database_refuses_an_end_before_the_start_and_a_resolved_notice_without_end():
    with pytest.raises(IntegrityError), transaction.atomic():
        notice(ends_at=NOW - 2 * HOUR).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        notice(state="resolved").save()
    assert not ServiceNotice.objects.exists()


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("admin", "a@example.org", "pw-for-tests")
    client.force_login(user)
    return client


def _form(**fields) -> dict[str, object]:
    start = timezone.localtime(NOW + dt.timedelta(days=2))
    end = start + 2 * HOUR
    return {
        "kind": "maintenance",
        "state": "planned",
        "components": ["api", "pages"],
        "starts_at_0": start.strftime("%d/%m/%Y"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%d/%m/%Y"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "title": "Mise à jour du serveur de base de données",
        "title_en": "Database server upgrade",
        "description": "",
        "description_en": "",
    } | fields


def test_an_admin_declares_a_maintenance_window(admin_client):
    response = admin_client.post(reverse("admin:monitoring_servicenotice_add"), _form())

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = ServiceNotice.objects.get()
    assert saved.kind == "maintenance"
    assert saved.components == ["api", "pages"]
    assert saved.ends_at - saved.starts_at == 2 * HOUR


def test_the_admin_form_says_what_is_wrong_in_french(admin_client):
    form = _form(ends_at_0="01/01/2020", components=[])
    response = admin_client.post(reverse("admin:monitoring_servicenotice_add"), form)

    html = response.content.decode()
    assert response.status_code == 200
    assert "La fin doit être après le début." in html
    # Once: the form field and the model's check both refused it, the page said it twice.
    assert html.count("Cochez au moins un élément concerné.") == 1
    assert not ServiceNotice.objects.exists()


def test_the_admin_is_branded_and_lists_the_declared_notices(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Administration ObRail Europe" in html
    assert "Événements déclarés (incidents, maintenances, retards)" in html


def test_the_status_page_shows_current_and_upcoming_notices_first_then_the_history(client):
    notice(title="Retard des données DB", kind="data_delay").save()
    notice(
        title="Maintenance de l'API",
        kind="maintenance",
        state="planned",
        starts_at=NOW + 24 * HOUR,
        ends_at=NOW + 26 * HOUR,
        components=["api"],
    ).save()
    notice(title="Panne des itinéraires", state="resolved", ends_at=NOW - 0.5 * HOUR).save()
    notice(
        title="Panne ancienne",
        state="resolved",
        starts_at=NOW - dt.timedelta(days=40),
        ends_at=NOW - dt.timedelta(days=39),
    ).save()

    html = client.get(reverse("monitoring:status")).content.decode()

    assert "Service perturbé." in html
    assert "1 événement déclaré est en cours" in html
    ongoing = html.index("Retard des données DB")
    planned = html.index("Maintenance de l&#x27;API")
    history = html.index("Événements terminés des 30 derniers jours")
    resolved = html.index("Panne des itinéraires")
    assert ongoing < planned < history < resolved
    assert "(retard des données, en cours)" in html
    assert "(maintenance planifiée, planifié)" in html
    assert "Concerne : API." in html
    assert "Panne ancienne" not in html


def test_the_english_status_page_shows_the_english_title_or_the_french_one_marked_so(client):
    notice(title="Imports interrompus", title_en="Imports stopped").save()
    notice(title="Lenteurs de l'API", components=["api"]).save()
    client.cookies["django_language"] = "en"

    html = client.get(reverse("monitoring:status"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<strong>Imports stopped</strong>" in html
    assert "Imports interrompus" not in html
    assert '<strong lang="fr">Lenteurs de l&#x27;API</strong>' in html
    assert "(incident, ongoing)" in html


def test_with_nothing_declared_the_page_says_so(client):
    html = client.get(reverse("monitoring:status")).content.decode()
    assert "Aucun événement en cours ni prévu." in html
    assert "Tout fonctionne normalement." in html


def test_a_notice_s_dates_read_as_one_sentence_in_english(client):
    start = timezone.make_aware(dt.datetime(2030, 3, 7, 22, 0))
    notice(
        kind=ServiceNotice.Kind.MAINTENANCE,
        state=ServiceNotice.State.PLANNED,
        title_en="Database maintenance",
        starts_at=start,
        ends_at=start + 90 * dt.timedelta(minutes=1),
    ).save()
    client.cookies["django_language"] = "en"
    html = client.get(reverse("monitoring:status"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Was "From March 7, 2030, 10 p.m. to March 7, 2030, 11:30 p.m.." (the 12-hour clock's
    # own full stop, then the sentence's).
    assert "From 7 March 2030 22:00 to 7 March 2030 23:30." in html
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("monitoring:status"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Du 7 mars 2030 22:00 au 7 mars 2030 23:30." in html
