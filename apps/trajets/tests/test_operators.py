"""The operator registry and its application to stored operators."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.trajets.models import Operator, Trajet
from apps.trajets.operator_identity import apply_operator_registry
from apps.trajets.operators import RegistryError, load_registry, operator_registry
from apps.trajets.tests.factories import make_operator, make_trajet


@pytest.mark.parametrize(
    ("agency", "code"),
    [
        ("DB Fernverkehr AG", "db"),
        ("DB Fernverkehr (Codesharing)", "db"),
        ("Dänische Staatsbahnen", "dsb"),
        ("HZZP", "hzpp"),
        ("Ceske Drahy", "cd"),
        ("ÖBB", "obb"),
        ("CFR/MÁV/ÖBB", "cfr"),
        ("zeleznicna-spolocnost-slovensko,", "zssk"),
        ("Železničná spoločnosť Slovensko a.s.", "zssk"),
        ("RENFE OPERADORA", "renfe"),
        ("OCESN", "sncf"),
        ("БДЖ - Пътнически превози ЕООД", "bdz"),
        ("Merresor AB", "snalltaget"),
    ],
)
def test_feed_agencies_map_onto_one_registered_company(agency: str, code: str) -> None:
    found = operator_registry().match(agency, source_id=agency)
    assert found is not None
    assert found.code == code


def test_the_registry_states_where_each_fact_comes_from_and_shares_no_website() -> None:
    registry = operator_registry()
    websites = [op.website for op in registry.operators.values() if op.website]
    assert len(websites) == len(set(websites))
    for operator in registry.operators.values():
        for fact in ("legal_name", "country", "website"):
            if getattr(operator, fact):
                assert operator.sources.get(fact), (operator.code, fact)
    # Companies the night-train database places in their parent's country.
    assert registry.operators["rdc"].country == "DE"
    assert registry.operators["go-ahead-norge"].country == "NO"
    assert registry.operators["snalltaget"].country == "SE"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('code = "DB"\ncountry = "DE"', "code 'DB'"),
        ('code = "x"\ncountry = "Germany"', "country 'Germany'"),
        ('code = "x"\ncountry = "DE"\nlegal_name = "X AG"', "legal_name has no source"),
        ('code = "x"\ncountry = "DE"\nwebsite = "bahn.de"', "is not a URL"),
    ],
)
def test_a_malformed_registry_entry_is_refused_with_its_reason(
    tmp_path: Path, entry: str, message: str
) -> None:
    path = tmp_path / "operators.toml"
    path.write_text(f"[[operator]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_registry(path)


@pytest.mark.django_db
def test_stored_operators_are_merged_and_feed_websites_cleared() -> None:
    zssk = make_operator("zssk", "ZSSK", "SK")
    twin = make_operator("zeleznicna-spolocnost-slovensko,", "Železničná spoločnosť Slovensko", "")
    twin.source_ids = {"back-on-track-ontd": "ZSSK"}
    twin.save()
    unknown = make_operator("foo-rail", "Foo Rail", "DE")
    Operator.objects.filter(pk=unknown.pk).update(website="https://www.bahn.de")
    Operator.objects.filter(pk=zssk.pk).update(website="https://www.bahn.de")
    trajet = make_trajet(operator=twin)
    repair = apply_operator_registry()
    assert ("zeleznicna-spolocnost-slovensko,", "zssk") in repair.merged
    assert Trajet.objects.get(pk=trajet.pk).operator_id == zssk.pk
    zssk.refresh_from_db()
    assert (zssk.website, zssk.country, zssk.is_registered) == ("https://www.zssk.sk", "SK", True)
    unknown.refresh_from_db()
    assert (unknown.website, unknown.is_registered) == ("", False)
    assert repair.unregistered == ["foo-rail"]
    assert not apply_operator_registry().merged
