"""Airports, air traffic per airport pair, CO2 factors by method and the computed city pairs."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.trajets.models import ImportRun


class Airport(models.Model):
    """An airport of OpenFlights (ICAO, IATA, coordinates, city as OpenFlights names it)."""

    icao = models.CharField(_("code OACI"), max_length=4, unique=True)
    iata = models.CharField(_("code IATA"), max_length=3, blank=True)
    name = models.CharField(_("nom"), max_length=200)
    city = models.CharField(_("ville selon OpenFlights"), max_length=200, blank=True)
    country_name = models.CharField(_("pays selon OpenFlights"), max_length=100, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    openflights_id = models.PositiveIntegerField(_("identifiant OpenFlights"))
    run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("chargement")
    )

    class Meta:
        ordering = ["icao"]
        verbose_name = _("aéroport")
        verbose_name_plural = _("aéroports")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="airport_coordinates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.icao})"


class AirTraffic(models.Model):
    """Passengers carried in a year between two airports, as one of them reported it."""

    reporting_icao = models.CharField(_("aéroport déclarant (OACI)"), max_length=4)
    reporting_country = models.CharField(_("pays déclarant"), max_length=2)
    partner_icao = models.CharField(_("aéroport partenaire (OACI)"), max_length=4)
    partner_country = models.CharField(_("pays partenaire"), max_length=2)
    year = models.PositiveSmallIntegerField(_("année"))
    passengers = models.PositiveIntegerField(_("passagers"))
    label = models.CharField(_("liaison selon la source"), max_length=300, blank=True)
    location = models.CharField(_("emplacement dans l'entrée"), max_length=300)
    run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("chargement")
    )

    class Meta:
        ordering = ["reporting_icao", "partner_icao", "year"]
        verbose_name = _("trafic aérien")
        verbose_name_plural = _("trafic aérien")
        constraints = [
            models.UniqueConstraint(
                fields=["reporting_icao", "partner_icao", "year"], name="airtraffic_unique_year"
            ),
        ]
        indexes = [models.Index(fields=["year"], name="airtraffic_year")]

    def __str__(self) -> str:
        return f"{self.reporting_icao}–{self.partner_icao} {self.year}: {self.passengers}"


def pair_label(a_name: str, b_name: str) -> str:
    """A pair's label: both cities, the larger first (rows read as values use it too)."""
    return f"{a_name} – {b_name}"


def rail_is_upper_bound(rail_fastest_min: int | None, rail_missing_main: list[str]) -> bool:
    """Whether a pair's rail time is only an upper bound (see ``CityPair.rail_is_upper_bound``)."""
    return rail_fastest_min is not None and bool(rail_missing_main)


class CityPair(models.Model):
    """Two cities (GeoNames places) with air traffic between their airports or a rail link.

    Derived data: rebuilt by :func:`apps.atlas.services.recompute_atlas` after each import,
    never edited.
    """

    class RailStatus(models.TextChoices):
        FOUND = "found", _("trajet en train trouvé")
        NO_JOURNEY = "no_journey", _("aucun trajet en train ce jour-là")
        NO_TIMETABLE = "no_timetable", _("pas d'horaire actuel pour cette liaison")

    a_geonames_id = models.PositiveIntegerField(_("ville A (GeoNames)"))
    a_name = models.CharField(_("ville A"), max_length=200)
    a_country = models.CharField(_("pays A"), max_length=2)
    a_latitude = models.FloatField()
    a_longitude = models.FloatField()
    b_geonames_id = models.PositiveIntegerField(_("ville B (GeoNames)"))
    b_name = models.CharField(_("ville B"), max_length=200)
    b_country = models.CharField(_("pays B"), max_length=2)
    b_latitude = models.FloatField()
    b_longitude = models.FloatField()
    is_domestic = models.BooleanField(_("intérieure"))
    distance_km = models.FloatField(_("distance à vol d'oiseau (km)"))
    # Air
    airports_a = models.JSONField(_("aéroports de A"), default=list)
    airports_b = models.JSONField(_("aéroports de B"), default=list)
    air_year = models.PositiveSmallIntegerField(_("dernière année"), null=True, blank=True)
    air_passengers = models.PositiveIntegerField(_("passagers aériens"), default=0)
    air_series = models.JSONField(_("passagers par année"), default=dict)
    air_routes = models.JSONField(_("liaisons aériennes"), default=list)
    flown_km = models.FloatField(_("distance volée (km)"), null=True, blank=True)
    flight_block_min = models.FloatField(_("temps de vol (min)"), null=True, blank=True)
    flight_door_min = models.FloatField(_("avion porte à porte (min)"), null=True, blank=True)
    access_a_km = models.FloatField(null=True, blank=True)
    access_b_km = models.FloatField(null=True, blank=True)
    # Rail
    rail_status = models.CharField(
        _("état du train"), max_length=12, choices=RailStatus.choices, db_index=True
    )
    rail_day = models.DateField(_("jour de référence"), null=True, blank=True)
    rail_fastest_min = models.FloatField(_("train le plus rapide (min)"), null=True, blank=True)
    rail_typical_min = models.FloatField(_("train typique (min)"), null=True, blank=True)
    rail_journeys = models.PositiveIntegerField(_("trajets dans la journée"), default=0)
    rail_direct_per_day = models.PositiveIntegerField(_("trains directs par jour"), default=0)
    rail_min_transfers = models.PositiveSmallIntegerField(null=True, blank=True)
    rail_distance_km = models.FloatField(_("distance en train (km)"), null=True, blank=True)
    rail_km_by_country = models.JSONField(default=list)
    rail_journey_list = models.JSONField(_("trajets du jour"), default=list)
    night_train = models.BooleanField(_("train de nuit"), default=False)
    night_trains = models.JSONField(_("trains de nuit"), default=list)
    #: The warehouse sources of the fastest journey's trains.
    rail_sources = models.JSONField(_("sources de l'horaire"), default=list)
    #: The pair's countries without a current timetable of their main long-distance operator
    #: (apps/atlas/rail_coverage.py): the rail time is then an upper bound.
    rail_missing_main = models.JSONField(_("pays sans horaire grandes lignes actuel"), default=list)
    computed_at = models.DateTimeField(_("calculé le"))

    class Meta:
        ordering = ["-air_passengers", "a_name", "b_name"]
        verbose_name = _("liaison entre villes")
        verbose_name_plural = _("liaisons entre villes")
        constraints = [
            models.UniqueConstraint(
                fields=["a_geonames_id", "b_geonames_id"], name="citypair_unique"
            ),
            models.CheckConstraint(
                condition=~Q(a_geonames_id=F("b_geonames_id")), name="citypair_two_cities"
            ),
        ]
        indexes = [
            # The default order (and its tie by id, as the API sorts): a first page reads 50 or
            # 500 rows of the index instead of sorting every pair by collated names.
            models.Index(
                fields=["-air_passengers", "a_name", "b_name", "id"], name="citypair_default_order"
            ),
            models.Index(fields=["rail_fastest_min"], name="citypair_rail_fastest"),
            models.Index(fields=["a_country", "b_country"], name="citypair_countries"),
        ]

    def __str__(self) -> str:
        return f"{self.a_name} – {self.b_name}"

    @property
    def label(self) -> str:
        """Both cities, the larger first."""
        return pair_label(self.a_name, self.b_name)

    @property
    def rail_is_upper_bound(self) -> bool:
        """A rail time was found, but a country of the pair lacks its main long-distance
        timetable: the real fastest train may be quicker."""
        return rail_is_upper_bound(self.rail_fastest_min, self.rail_missing_main)


class AtlasBuild(models.Model):
    """One recomputation of the atlas, with how long it took."""

    started_at = models.DateTimeField(_("début"))
    duration_s = models.FloatField(_("durée (s)"))
    pairs = models.PositiveIntegerField(_("liaisons"))
    reference_days = models.JSONField(_("jours de référence"), default=list)
    trigger = models.CharField(_("déclencheur"), max_length=100)
    inputs = models.CharField(
        _("empreinte des données"),
        max_length=64,
        blank=True,
        help_text=_("Empreinte des imports, des règles et du jour dont le calcul est parti."),
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("calcul de l'atlas")
        verbose_name_plural = _("calculs de l'atlas")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.pairs})"
