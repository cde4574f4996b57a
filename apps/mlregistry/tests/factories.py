"""Small builders for the registry's tests."""

from __future__ import annotations

from apps.mlregistry.models import ModelVersion
from apps.mlregistry.services import promote, train_model


def trained(seed: int = 16) -> ModelVersion:
    """A candidate version of the modal-share model trained with ``seed``."""
    return train_model("modal-share", seed=seed, actor="tests", reason="test")


def in_production(seed: int = 16) -> ModelVersion:
    """A version trained with ``seed`` and put in production."""
    version = trained(seed)
    return promote("modal-share", version.number, actor="tests", reason="test")


def corrupt(version: ModelVersion) -> None:
    """Alter one byte of the stored artefact (its checksum no longer matches)."""
    text = version.artefact.replace('"seed":', '"seed":1', 1)
    ModelVersion.objects.filter(pk=version.pk).update(artefact=text)


def city_pair(
    a: str,
    b: str,
    *,
    rail_min: float | None,
    passengers: int,
    flown_km: float = 500.0,
    rail_km: float = 550.0,
    upper_bound: bool = False,
    countries: tuple[str, str] = ("FR", "FR"),
):
    """A stored atlas pair with ``passengers`` in 2019 and a fastest train of ``rail_min``."""
    from django.utils import timezone

    from apps.atlas.models import CityPair

    number = CityPair.objects.count() * 2 + 1
    return CityPair.objects.create(
        a_geonames_id=number, a_name=a, a_country=countries[0], a_latitude=48.0, a_longitude=2.0,
        b_geonames_id=number + 1, b_name=b, b_country=countries[1], b_latitude=45.0,
        b_longitude=4.0, is_domestic=countries[0] == countries[1], distance_km=flown_km / 1.1,
        air_year=2019, air_passengers=passengers, air_series={"2019": passengers},
        flown_km=flown_km,
        rail_status="found" if rail_min is not None else "no_timetable",
        rail_fastest_min=rail_min,
        rail_km_by_country=[[countries[0], rail_km]] if rail_min is not None else [],
        rail_missing_main=[countries[0]] if upper_bound else [],
        computed_at=timezone.now(),
    )  # fmt: skip
