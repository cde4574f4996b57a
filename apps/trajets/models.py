"""The harmonised schema: stations, operators, rail services (trajets) and their provenance.

Sized for Europe: ~100k stations, ~1M trajets, ~20M stops. Times are local to the station
they describe, with a day offset counted from the service day of the origin departure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.places.services import search_key, station_key
from apps.trajets.querysets import WEEKDAY_FIELDS, TrajetQuerySet

COUNTRY_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z]{2}$", _("Code pays ISO 3166-1 alpha-2 attendu (deux lettres majuscules).")
)
UIC_CODE_VALIDATOR = RegexValidator(r"^[0-9]{7,8}$", _("Code UIC de 7 ou 8 chiffres attendu."))
MAX_DAY_OFFSET = 7
MAX_TRANSFER_MIN = 180


class SourceFormat(models.TextChoices):
    GTFS = "gtfs", "GTFS"
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    XLSX = "xlsx", "Excel"
    HTML = "html", "HTML"
    NETEX = "netex", "NeTEx"
    INTERNAL = "internal", _("traitement interne (réparation)")


class SourceScope(models.TextChoices):
    """Which trains of its countries a timetable source describes: a country covered by a
    partial source is not a country without the other trains."""

    NATIONAL = "national", _("tout l'horaire national")
    LONG_DISTANCE = "long_distance", _("grandes lignes seulement, sans trains régionaux")
    CLASSIC_LONG_DISTANCE = (
        "classic_long_distance",
        _("grandes lignes classiques seulement, sans grande vitesse ni trains régionaux"),
    )
    NO_SUBURBAN = (
        "no_suburban",
        _("grande vitesse, grandes lignes et moyenne distance, sans trains de banlieue"),
    )
    REGIONAL = "regional", _("trains régionaux seulement, sans grandes lignes")
    NIGHT = "night", _("trains de nuit seulement")
    OPERATOR = "operator", _("les trains d'un seul opérateur seulement")
    #: Never declared: a country that a source reaches only by trains from abroad.
    CROSS_BORDER = "cross_border", _("trains venus de l'étranger seulement")
    UNKNOWN = "", _("non déclaré")


class DataSource(models.Model):
    """A declared input of the ETL (a feed, a file, a page) with its licence."""

    name = models.SlugField(_("nom"), max_length=80, unique=True)
    title = models.CharField(_("titre"), max_length=200, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=SourceFormat.choices)
    location = models.CharField(_("emplacement (chemin ou URL)"), max_length=500)
    licence = models.CharField(_("licence"), max_length=120)
    attribution = models.TextField(_("attribution"), blank=True)
    homepage = models.URLField(_("page de la source"), blank=True)
    dataset = models.SlugField(
        _("jeu de données"),
        max_length=40,
        default="samples",
        help_text=_(
            "Jeu de sources dont elle fait partie (samples : échantillons livrés avec le "
            "projet ; full : fichiers complets ; custom : fichier donné à la main). Un "
            "chargement d'un autre jeu ne la remplace jamais sans --replace-set."
        ),
    )
    is_night_reference = models.BooleanField(
        _("référence des trains de nuit"),
        default=False,
        help_text=_(
            "Base de trains de nuit tenue à la main (Back-on-Track) : un trajet d'une autre "
            "source qui est le même train est un train de nuit."
        ),
    )
    scope = models.CharField(
        _("trains décrits"),
        max_length=24,
        choices=SourceScope.choices,
        blank=True,
        default=SourceScope.UNKNOWN,
        help_text=_("Quels trains de ses pays l'horaire décrit (déclaré dans sources.toml)."),
    )
    runs_from = models.DateField(_("premier jour de circulation"), null=True, blank=True)
    runs_until = models.DateField(_("dernier jour de circulation"), null=True, blank=True)
    reference_week = models.DateField(
        _("semaine type (lundi)"),
        null=True,
        blank=True,
        help_text=_(
            "La semaine du lundi au dimanche où ses trains font le plus de départs : celle "
            "qu'utilisent les indicateurs d'une semaine type."
        ),
    )
    flagged_week = models.DateField(
        _("semaine des indicateurs de circulation (lundi)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "La semaine type d'après laquelle Trajet.runs_in_typical_week a été calculé pour "
            "ses trajets ; une autre semaine type les fait ignorer (calcul direct)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source de données")
        verbose_name_plural = _("sources de données")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, but never ``flagged_week`` from an instance read before its trajets were last
        flagged: only ``refresh_typical_week_flags`` writes it, with its flags."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "flagged_week"
            ]
        super().save(*args, **kwargs)


class ImportRun(models.Model):
    """One execution of the ETL for one source, with its counts."""

    class Status(models.TextChoices):
        RUNNING = "running", _("en cours")
        SUCCEEDED = "succeeded", _("réussi")
        FAILED = "failed", _("échoué")
        SKIPPED = "skipped", _("ignoré (entrée inchangée)")
        DRY_RUN = "dry_run", _("simulation")

    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="import_runs")
    started_at = models.DateTimeField(_("début"), default=timezone.now)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    rows_read = models.PositiveIntegerField(_("lus"), default=0)
    rows_inserted = models.PositiveIntegerField(_("insérés"), default=0)
    rows_updated = models.PositiveIntegerField(_("mis à jour"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("inchangés"), default=0)
    rows_folded = models.PositiveIntegerField(
        _("regroupés"),
        default=0,
        help_text=_(
            "Services de la source rattachés au train dont ils sont une variante de "
            "calendrier ou un doublon du même jour."
        ),
    )
    rows_rejected = models.PositiveIntegerField(_("rejetés"), default=0)
    input_checksum = models.CharField(_("empreinte SHA-256 de l'entrée"), max_length=64, blank=True)
    message = models.TextField(_("message"), blank=True)
    #: The derived data rebuilt after this run (``obrail.derived``): one entry per artefact
    #: with its status, duration and detail.
    derived = models.JSONField(_("données dérivées reconstruites"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("exécution d'import")
        verbose_name_plural = _("exécutions d'import")
        indexes = [models.Index(fields=["source", "status", "-started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=F("started_at")),
                name="importrun_finishes_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class RejectedRecord(models.Model):
    """An input row the ETL refused, with where it was and why."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejected_records")
    location = models.CharField(_("emplacement dans l'entrée"), max_length=300)
    reason_code = models.CharField(_("code du motif"), max_length=60)
    reason = models.TextField(_("motif"))
    raw = models.TextField(_("contenu brut"), blank=True)

    class Meta:
        ordering = ["run", "id"]
        verbose_name = _("enregistrement rejeté")
        verbose_name_plural = _("enregistrements rejetés")
        indexes = [models.Index(fields=["run", "reason_code"])]

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


class Operator(models.Model):
    """A railway undertaking, one row across all the feeds that publish it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    legal_name = models.CharField(_("raison sociale"), max_length=200, blank=True)
    country = models.CharField(
        _("pays"), max_length=2, blank=True, validators=[COUNTRY_CODE_VALIDATOR]
    )
    website = models.URLField(_("site web"), blank=True)
    is_registered = models.BooleanField(
        _("au registre"),
        default=False,
        help_text=_(
            "Décrit par le registre des opérateurs du projet ; sinon créé depuis une source "
            "et à vérifier."
        ),
    )
    fact_sources = models.JSONField(
        _("sources des informations"),
        default=dict,
        blank=True,
        help_text=_("Pour chaque champ (raison sociale, pays, site web), la page qui l'établit."),
    )
    source_ids = models.JSONField(_("identifiants par source"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("opérateur")
        verbose_name_plural = _("opérateurs")

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    """A passenger station, matched across sources."""

    class MatchMethod(models.TextChoices):
        REFERENCE = "reference", _("référentiel des gares")
        UIC = "uic", _("code UIC")
        NAME = "name", _("nom normalisé et distance")
        UNMATCHED = "unmatched", _("non apparié (créé depuis la source)")

    uic_code = models.CharField(
        _("code UIC"),
        max_length=8,
        unique=True,
        null=True,
        blank=True,
        validators=[UIC_CODE_VALIDATOR],
    )
    name = models.CharField(_("nom"), max_length=200)
    normalised_name = models.CharField(
        _("clé de recherche"),
        max_length=200,
        db_index=True,
        help_text=_("Le nom en minuscules, sans accents ni ponctuation (recherche par préfixe)."),
    )
    name_key = models.CharField(
        _("clé d'identité"),
        max_length=200,
        db_index=True,
        blank=True,
        help_text=_("Le nom sans les mots qui disent seulement « gare » (Hbf, Gare de…)."),
    )
    place = models.ForeignKey(
        "places.Place",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=_("lieu desservi"),
    )
    country = models.CharField(_("pays"), max_length=2, validators=[COUNTRY_CODE_VALIDATOR])
    border_km = models.FloatField(
        _("distance à la frontière (km)"),
        null=True,
        blank=True,
        help_text=_("Vide : à plus de 10 km de toute frontière."),
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    time_zone = models.CharField(_("fuseau horaire IANA"), max_length=64)
    min_transfer_min = models.PositiveSmallIntegerField(
        _("temps de correspondance minimal (min)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_TRANSFER_MIN)],
        help_text=_("Publié par la source (GTFS transfers.txt) ; vide : valeur par défaut."),
    )
    match_method = models.CharField(
        _("appariement"), max_length=12, choices=MatchMethod.choices, default=MatchMethod.REFERENCE
    )
    source_ids = models.JSONField(
        _("identifiants par source"),
        default=dict,
        blank=True,
        help_text=_("Résumé des enregistrements des sources (détail : gares des sources)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("gare")
        verbose_name_plural = _("gares")
        indexes = [models.Index(fields=["country", "normalised_name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="station_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="station_longitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="station_coordinates_both_or_neither",
            ),
            models.CheckConstraint(
                condition=~Q(uic_code=""), name="station_uic_code_null_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the search keys of the name (the ETL and the seeder write them in bulk)."""
        self.normalised_name = search_key(self.name)[:200]
        self.name_key = station_key(self.name)[:200]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "normalised_name", "name_key"}
        super().save(*args, **kwargs)


class StationName(models.Model):
    """One name a station is known by (its own, or one a source gives it), for search."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("nom"), max_length=200)
    key = models.CharField(_("clé de recherche"), max_length=200)
    name_key = models.CharField(_("clé d'identité"), max_length=200)

    class Meta:
        ordering = ["station", "name"]
        verbose_name = _("nom de gare")
        verbose_name_plural = _("noms de gares")
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="stationname_unique_name"),
        ]
        indexes = [models.Index(fields=["name_key"], name="stationname_name_key")]

    def __str__(self) -> str:
        return self.name


class SourceStation(models.Model):
    """A station as one source describes it, and the station it was matched to (and why)."""

    source = models.ForeignKey(
        DataSource, on_delete=models.PROTECT, related_name="station_records", db_index=False
    )
    source_record_id = models.CharField(_("identifiant dans la source"), max_length=200)
    name = models.CharField(_("nom"), max_length=200)
    alt_names = models.JSONField(
        _("autres noms"),
        default=list,
        blank=True,
        help_text=_("Autres noms que la source donne à la gare (quais, forme romanisée…)."),
    )
    place_name = models.CharField(_("localité selon la source"), max_length=200, blank=True)
    uic_code = models.CharField(
        _("code UIC"), max_length=8, blank=True, validators=[UIC_CODE_VALIDATOR]
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    country = models.CharField(_("pays selon la source"), max_length=2, blank=True)
    time_zone = models.CharField(_("fuseau selon la source"), max_length=64, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priorité"), default=50, help_text=_("La plus basse nomme la gare.")
    )
    same_as = models.CharField(_("même gare que"), max_length=200, blank=True)
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_records",
        verbose_name=_("gare"),
    )
    merge_rule = models.CharField(_("règle d'appariement"), max_length=20, blank=True)
    merge_detail = models.CharField(_("motif d'appariement"), max_length=300, blank=True)
    merged_with = models.CharField(_("apparié à"), max_length=300, blank=True)
    merge_distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)

    class Meta:
        ordering = ["source", "source_record_id"]
        verbose_name = _("gare d'une source")
        verbose_name_plural = _("gares des sources")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_record_id"], name="sourcestation_unique_record"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="sourcestation_coordinates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_record_id} {self.name}"


class StationWarning(models.Model):
    """A doubt about a station's identity or location, for the data-quality report."""

    class Kind(models.TextChoices):
        UIC_CONTRADICTION = "uic_contradiction", _("code UIC contredit par le nom et la position")
        UIC_SHARED = "uic_shared", _("code UIC porté par deux gares")
        COUNTRY_DISAGREES = "country_disagrees", _("pays de la source différent de la position")
        ZONE_DISAGREES = "zone_disagrees", _("fuseau de la source différent de la position")
        OUTLINES_DISAGREE = "outlines_disagree", _("contours de pays et de fuseau en désaccord")
        OUTSIDE_OUTLINES = "outside_outlines", _("position hors de tout pays connu")
        COORDINATES_REPLACED = (
            "coordinates_replaced",
            _("position de la source remplacée (loin du pays qu'elle indique)"),
        )
        COORDINATES_DISAGREE = (
            "coordinates_disagree",
            _("sources plaçant la gare à plus de 1 km l'une de l'autre"),
        )
        STOPS_AMBIGUOUS = (
            "stops_ambiguous",
            _("arrêts d'une source répartis entre plusieurs gares : attribués à la principale"),
        )
        NO_COORDINATES = "no_coordinates", _("gare sans coordonnées")

    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, null=True, blank=True, related_name="warnings"
    )
    source_station = models.ForeignKey(
        SourceStation, on_delete=models.CASCADE, null=True, blank=True, related_name="warnings"
    )
    detail = models.TextField(_("détail"))
    distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("avertissement sur une gare")
        verbose_name_plural = _("avertissements sur les gares")
        indexes = [models.Index(fields=["kind"], name="stationwarning_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.detail}"


class ServiceKind(models.TextChoices):
    DAY = "day", _("jour")
    NIGHT = "night", _("nuit")
    OVERNIGHT = "overnight", _("nuit sans couchette connue")


class TransportMode(models.TextChoices):
    """How a service runs: trains are counted, the rest only when asked for."""

    RAIL = "rail", _("train")
    TRAM_TRAIN = "tram_train", _("tram-train")
    COACH = "coach", _("car")


class DistanceMethod(models.TextChoices):
    SOURCE = "source", _("distance donnée par la source")
    STOPS = "stops", _("enchaînement des arrêts × facteur de détour")
    NONE = "", _("inconnue")


class BoardingRule(models.IntegerChoices):
    """GTFS ``pickup_type`` / ``drop_off_type``."""

    REGULAR = 0, _("oui")
    NONE = 1, _("non")
    PHONE = 2, _("sur réservation téléphonique")
    DRIVER = 3, _("en prévenant le personnel")


class EmissionFactor(models.Model):
    """A published CO2 factor per passenger-km of one method, for a mode, a route type, a
    country and a distance band, with its source, year and scope.

    The one table of factors: the ETL (rail CO2), the atlas (every method) and the trajets'
    flight equivalent read it; ``apps.trajets.emission_factors.ensure_factors`` writes the
    published set (``apps.trajets.etl.harmonise.co2.PUBLISHED_FACTORS``).
    """

    class Mode(models.TextChoices):
        RAIL = "rail", _("train")
        AIR = "air", _("avion")

    class Route(models.TextChoices):
        ANY = "any", _("toute liaison")
        DOMESTIC = "domestic", _("intérieure")
        INTERNATIONAL = "international", _("internationale")

    method = models.SlugField(_("méthode"), max_length=20, default="ademe")
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices)
    route = models.CharField(_("liaison"), max_length=13, choices=Route.choices, default="any")
    country = models.CharField(
        _("pays (vide : défaut européen)"),
        max_length=2,
        blank=True,
        validators=[COUNTRY_CODE_VALIDATOR],
    )
    min_distance_km = models.FloatField(_("distance min. (km)"), default=0)
    max_distance_km = models.FloatField(_("distance max. (km)"), null=True, blank=True)
    kg_co2e_per_passenger_km = models.FloatField(
        _("kg par passager-km"), help_text=_("CO2e, ou CO2 seul quand la méthode le dit.")
    )
    scope = models.CharField(_("périmètre"), max_length=200, blank=True)
    label = models.CharField(_("libellé"), max_length=200)
    source_name = models.CharField(_("publication"), max_length=300)
    source_url = models.URLField(_("lien"), blank=True)
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)

    class Meta:
        ordering = ["method", "mode", "route", "country", "min_distance_km"]
        verbose_name = _("facteur d'émission")
        verbose_name_plural = _("facteurs d'émission")
        constraints = [
            models.CheckConstraint(
                condition=Q(kg_co2e_per_passenger_km__gte=0), name="emissionfactor_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(max_distance_km__isnull=True)
                | Q(max_distance_km__gt=F("min_distance_km")),
                name="emissionfactor_band_ordered",
            ),
            models.UniqueConstraint(
                fields=["method", "mode", "route", "country", "min_distance_km"],
                name="emissionfactor_unique_band",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.get_mode_display()} {self.country or 'EU'}: {self.label}"


class FlightEquivalent(models.Model):
    """The flight between two towns under the atlas's rule, priced under the default method.

    Derived data, one row per direction, for the town pairs of the trajets' ends: written by
    the atlas recomputation (``apps.atlas.trajet_flights``), read by the trajets' flight
    equivalent and the routing answers. A pair has a row only when both towns are served by an
    airport and differ; no row means no flight equivalent.
    """

    origin_place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    destination_place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    flown_km = models.FloatField(_("distance volée (km)"))
    co2_kg = models.FloatField(_("CO2 avion par passager (kg)"))
    emission_factor = models.ForeignKey(
        EmissionFactor,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("facteur avion utilisé"),
    )

    class Meta:
        verbose_name = _("vol équivalent")
        verbose_name_plural = _("vols équivalents")
        constraints = [
            models.UniqueConstraint(
                fields=["origin_place", "destination_place"], name="flightequivalent_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(origin_place=F("destination_place")),
                name="flightequivalent_two_places",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin_place_id}–{self.destination_place_id}: {self.co2_kg} kg"


class Trajet(models.Model):
    """One scheduled rail service from its origin to its destination, with its calendar."""

    # Foreign keys whose column leads a composite index get no index of their own.
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="trajets", db_index=False
    )
    train_number = models.CharField(_("numéro de train"), max_length=40, blank=True)
    category = models.CharField(
        _("catégorie"), max_length=40, blank=True, help_text=_("TGV, ICE, IC, Nightjet…")
    )
    kind = models.CharField(_("type de service"), max_length=9, choices=ServiceKind.choices)
    mode = models.CharField(
        _("mode"),
        max_length=10,
        choices=TransportMode.choices,
        default=TransportMode.RAIL,
        db_default=TransportMode.RAIL,
        help_text=_("Train, tram-train ou car : seuls les trains sont comptés par défaut."),
    )
    kind_reason = models.CharField(_("motif de la classification jour/nuit"), max_length=300)
    timetable_kind = models.CharField(
        _("type selon l'horaire seul"),
        max_length=9,
        choices=ServiceKind.choices,
        blank=True,
        db_default="",
        help_text=_(
            "La classification par les seules informations de la source, avant la référence "
            "de la base des trains de nuit."
        ),
    )
    origin = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="trajets_from",
        verbose_name=_("origine"),
        db_index=False,
    )
    destination = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="trajets_to",
        verbose_name=_("destination"),
        db_index=False,
    )
    origin_country = models.CharField(_("pays d'origine"), max_length=2)
    destination_country = models.CharField(_("pays de destination"), max_length=2)
    departure_time = models.TimeField(_("départ (heure locale)"))
    arrival_time = models.TimeField(_("arrivée (heure locale)"))
    arrival_day_offset = models.PositiveSmallIntegerField(
        _("jours après le départ"), default=0, validators=[MaxValueValidator(MAX_DAY_OFFSET)]
    )
    duration_min = models.PositiveIntegerField(_("durée (min)"))
    distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)
    distance_method = models.CharField(
        _("origine de la distance"),
        max_length=6,
        choices=DistanceMethod.choices,
        blank=True,
        default=DistanceMethod.STOPS,
        db_default=DistanceMethod.STOPS,
    )

    # The calendar: a weekly pattern between valid_from and valid_to, plus dated additions
    # and removals (CalendarException). Stored in the short form of
    # apps.trajets.etl.records.CalendarRecord.of_days: added dates are never pattern days and
    # removed dates always are, so a count over a period is pattern + added - removed.
    valid_from = models.DateField(_("motif hebdomadaire du"))
    valid_to = models.DateField(_("motif hebdomadaire au"))
    runs_from = models.DateField(_("premier jour de circulation"))
    runs_until = models.DateField(_("dernier jour de circulation"))
    running_days = models.PositiveIntegerField(_("nombre de jours de circulation"))
    runs_monday = models.BooleanField(_("lundi"), default=False)
    runs_tuesday = models.BooleanField(_("mardi"), default=False)
    runs_wednesday = models.BooleanField(_("mercredi"), default=False)
    runs_thursday = models.BooleanField(_("jeudi"), default=False)
    runs_friday = models.BooleanField(_("vendredi"), default=False)
    runs_saturday = models.BooleanField(_("samedi"), default=False)
    runs_sunday = models.BooleanField(_("dimanche"), default=False)
    # Whether the trajet runs on a date of its source's typical week (the week in
    # DataSource.flagged_week), kept by apps.trajets.typical_week_flags: the default lists
    # read it instead of evaluating every source's calendar expression.
    runs_in_typical_week = models.BooleanField(
        _("circule pendant la semaine type de sa source"),
        default=False,
        db_default=False,
        editable=False,
    )

    co2_rail_kg = models.FloatField(_("CO2e train par passager (kg)"), null=True, blank=True)
    co2_flight_kg = models.FloatField(
        _("CO2e avion équivalent par passager (kg)"), null=True, blank=True
    )
    rail_emission_factor = models.ForeignKey(
        EmissionFactor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a handful of factors: never looked up from the factor side
        verbose_name=_("facteur train utilisé"),
    )
    flight_emission_factor = models.ForeignKey(
        EmissionFactor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a handful of factors: never looked up from the factor side
        verbose_name=_("facteur avion utilisé"),
    )
    flight_distance_km = models.FloatField(
        _("distance avion équivalente (km)"), null=True, blank=True
    )

    # The list's stops summary, kept with the trajet (see apps.trajets.stop_summaries): a page
    # of trajets is then one query, without reading thousands of stops and station names.
    # Database defaults too: the previous release, still running during a rollback, writes
    # trajets without these columns (refresh_stop_summaries repairs them afterwards).
    stop_count = models.PositiveSmallIntegerField(
        _("nombre d'arrêts"), default=0, db_default=0, editable=False
    )
    via_names = models.JSONField(
        _("gares intermédiaires"),
        default=list,
        db_default=Value([], output_field=models.JSONField()),
        editable=False,
        help_text=_("Noms des gares entre l'origine et la destination, dans l'ordre des arrêts."),
    )

    source = models.ForeignKey(
        DataSource, on_delete=models.PROTECT, related_name="trajets", db_index=False
    )
    source_record_id = models.CharField(_("identifiant dans la source"), max_length=200)
    same_train_as = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="same_trains",
        verbose_name=_("même train que"),
        help_text=_(
            "Le trajet d'une autre source qui décrit le même train (mêmes gares aux mêmes "
            "heures, jours communs) : ce trajet-ci n'est alors pas compté une seconde fois."
        ),
    )
    night_reference = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="timetable_trains",
        verbose_name=_("train de la base des trains de nuit"),
        help_text=_(
            "Le train de la base des trains de nuit (toute année d'horaire) que ce trajet est : "
            "il en tient sa nature de train de nuit, et la semaine type ne compte pas les deux."
        ),
    )
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="trajets", verbose_name=_("import")
    )
    content_hash = models.CharField(_("empreinte du contenu"), max_length=64)

    objects = TrajetQuerySet.as_manager()

    WEEKDAY_FIELDS = WEEKDAY_FIELDS

    class Meta:
        ordering = ["departure_time", "id"]
        verbose_name = _("trajet")
        verbose_name_plural = _("trajets")
        indexes = [
            models.Index(fields=["origin", "departure_time"]),
            models.Index(fields=["destination", "departure_time"]),
            models.Index(fields=["operator", "kind"]),
            models.Index(fields=["kind", "departure_time", "id"], name="trajet_kind_departure_id"),
            models.Index(fields=["origin_country", "kind"]),
            models.Index(fields=["destination_country", "kind"]),
            models.Index(fields=["departure_time", "id"], name="trajet_departure_id"),
            models.Index(fields=["duration_min"]),
            models.Index(fields=["distance_km"]),
            models.Index(fields=["valid_from", "valid_to"]),
            models.Index(fields=["runs_from", "runs_until"]),
            models.Index(
                fields=["departure_time", "id"],
                condition=Q(runs_in_typical_week=True),
                name="trajet_typical_week_departure",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_record_id"], name="trajet_unique_source_record"
            ),
            models.CheckConstraint(
                condition=Q(duration_min__gt=0), name="trajet_positive_duration"
            ),
            models.CheckConstraint(
                condition=Q(distance_km__isnull=True) | Q(distance_km__gt=0),
                name="trajet_positive_distance",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="trajet_calendar_ordered"
            ),
            models.CheckConstraint(
                condition=Q(runs_until__gte=F("runs_from")), name="trajet_running_ordered"
            ),
            models.CheckConstraint(
                condition=Q(arrival_day_offset__lte=MAX_DAY_OFFSET),
                name="trajet_arrival_offset_bounded",
            ),
            models.CheckConstraint(
                condition=Q(co2_rail_kg__isnull=True) | Q(co2_rail_kg__gte=0),
                name="trajet_co2_rail_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(co2_flight_kg__isnull=True) | Q(co2_flight_kg__gte=0),
                name="trajet_co2_flight_non_negative",
            ),
        ]

    def __str__(self) -> str:
        number = f" {self.train_number}" if self.train_number else ""
        return f"{self.category}{number} {self.origin.name} → {self.destination.name}"

    @property
    def weekdays(self) -> list[bool]:
        """The seven weekday flags, Monday first."""
        return [getattr(self, name) for name in self.WEEKDAY_FIELDS]

    def runs_on(self, day: dt.date) -> bool:
        """Tell whether the service departs on ``day`` (per-row; use the queryset for lists)."""
        exceptions = {e.date: e.is_added for e in self.calendar_exceptions.all()}
        if day in exceptions:
            return exceptions[day]
        return self.valid_from <= day <= self.valid_to and self.weekdays[day.weekday()]


class CalendarException(models.Model):
    """A dated addition or removal to a trajet's weekly calendar."""

    trajet = models.ForeignKey(
        Trajet, on_delete=models.CASCADE, related_name="calendar_exceptions", db_index=False
    )
    date = models.DateField(_("date"))
    is_added = models.BooleanField(_("ajouté (sinon supprimé)"))

    class Meta:
        ordering = ["trajet", "date"]
        verbose_name = _("exception de calendrier")
        verbose_name_plural = _("exceptions de calendrier")
        constraints = [
            models.UniqueConstraint(
                fields=["trajet", "date"], name="calendar_exception_unique_date"
            ),
        ]
        indexes = [models.Index(fields=["date", "is_added"])]

    def __str__(self) -> str:
        return f"{'+' if self.is_added else '−'}{self.date}"


class Stop(models.Model):
    """A call of a trajet at a station, in order."""

    trajet = models.ForeignKey(
        Trajet, on_delete=models.CASCADE, related_name="stops", db_index=False
    )
    sequence = models.PositiveSmallIntegerField(_("rang"))
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="stops")
    arrival_time = models.TimeField(_("arrivée (heure locale)"), null=True, blank=True)
    arrival_day_offset = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_DAY_OFFSET)]
    )
    departure_time = models.TimeField(_("départ (heure locale)"), null=True, blank=True)
    departure_day_offset = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_DAY_OFFSET)]
    )
    distance_from_origin_km = models.FloatField(
        _("distance depuis l'origine (km)"), null=True, blank=True
    )
    pickup_type = models.PositiveSmallIntegerField(
        _("montée"), choices=BoardingRule.choices, default=0, db_default=0
    )
    drop_off_type = models.PositiveSmallIntegerField(
        _("descente"), choices=BoardingRule.choices, default=0, db_default=0
    )

    class Meta:
        ordering = ["trajet", "sequence"]
        verbose_name = _("arrêt")
        verbose_name_plural = _("arrêts")
        constraints = [
            models.UniqueConstraint(fields=["trajet", "sequence"], name="stop_unique_sequence"),
            models.CheckConstraint(
                condition=Q(arrival_time__isnull=False) | Q(departure_time__isnull=False),
                name="stop_has_a_time",
            ),
            models.CheckConstraint(
                condition=Q(arrival_day_offset__lte=MAX_DAY_OFFSET)
                & Q(departure_day_offset__lte=MAX_DAY_OFFSET),
                name="stop_day_offsets_bounded",
            ),
            models.CheckConstraint(
                condition=Q(distance_from_origin_km__isnull=True)
                | Q(distance_from_origin_km__gte=0),
                name="stop_distance_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.station.name}"

    @property
    def can_board(self) -> bool:
        """Whether travellers may board here (GTFS ``pickup_type`` other than 1)."""
        return self.pickup_type != BoardingRule.NONE

    @property
    def can_alight(self) -> bool:
        """Whether travellers may alight here (GTFS ``drop_off_type`` other than 1)."""
        return self.drop_off_type != BoardingRule.NONE


class TrajetCountry(models.Model):
    """A country a trajet serves (origin, destination or any stop), for country filters."""

    trajet = models.ForeignKey(
        Trajet, on_delete=models.CASCADE, related_name="countries", db_index=False
    )
    country = models.CharField(_("pays"), max_length=2, validators=[COUNTRY_CODE_VALIDATOR])

    class Meta:
        verbose_name = _("pays desservi")
        verbose_name_plural = _("pays desservis")
        constraints = [
            models.UniqueConstraint(fields=["trajet", "country"], name="trajetcountry_unique"),
        ]
        indexes = [models.Index(fields=["country", "trajet"])]

    def __str__(self) -> str:
        return self.country


class TrajetProvenance(models.Model):
    """Every source record merged into a trajet (the trajet's own source included)."""

    trajet = models.ForeignKey(Trajet, on_delete=models.CASCADE, related_name="provenances")
    source = models.ForeignKey(
        DataSource, on_delete=models.PROTECT, related_name="provenances", db_index=False
    )
    source_record_id = models.CharField(_("identifiant dans la source"), max_length=200)
    import_run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("provenance")
        verbose_name_plural = _("provenances")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_record_id"], name="provenance_unique_source_record"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_record_id}"


class SourceObservation(models.Model):
    """What one source listed on one date: an import run, or a dated snapshot of its list.

    Each new import of a source is a new observation; the counts of what changed since the
    source's previous observation are kept with it, the changes themselves in
    :class:`ObservedChange`.
    """

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="observations")
    observed_on = models.DateField(_("date de l'observation"))
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="observations"
    )
    snapshot = models.CharField(_("instantané lu"), max_length=200, blank=True)
    item_count = models.PositiveIntegerField(_("trains ou relations listés"))
    added = models.PositiveIntegerField(_("apparus"), default=0)
    removed = models.PositiveIntegerField(_("disparus"), default=0)
    changed = models.PositiveIntegerField(_("modifiés"), default=0)
    compared_with = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["source", "observed_on", "id"]
        verbose_name = _("observation d'une source")
        verbose_name_plural = _("observations des sources")
        indexes = [models.Index(fields=["source", "observed_on"])]

    def __str__(self) -> str:
        return f"{self.source} {self.observed_on}: {self.item_count}"


class ObservedItem(models.Model):
    """One train (timetables) or night-train route (lists) as an observation saw it."""

    observation = models.ForeignKey(
        SourceObservation, on_delete=models.CASCADE, related_name="items"
    )
    key = models.CharField(_("clé"), max_length=200)
    label = models.CharField(_("libellé"), max_length=300)
    numbers = models.CharField(_("numéros de train"), max_length=200, blank=True)
    countries = models.CharField(_("pays"), max_length=120, blank=True)
    operators = models.CharField(_("opérateurs"), max_length=200, blank=True)
    digest = models.CharField(_("empreinte"), max_length=64)

    class Meta:
        ordering = ["observation", "key"]
        verbose_name = _("élément observé")
        verbose_name_plural = _("éléments observés")
        constraints = [
            models.UniqueConstraint(fields=["observation", "key"], name="observeditem_unique_key")
        ]

    def __str__(self) -> str:
        return self.label


class ObservedChange(models.Model):
    """A train or route added, removed or changed since the source's previous observation."""

    class Change(models.TextChoices):
        ADDED = "added", _("apparu")
        REMOVED = "removed", _("disparu")
        CHANGED = "changed", _("modifié")

    observation = models.ForeignKey(
        SourceObservation, on_delete=models.CASCADE, related_name="changes"
    )
    change = models.CharField(_("changement"), max_length=7, choices=Change.choices)
    key = models.CharField(_("clé"), max_length=200)
    label = models.CharField(_("libellé"), max_length=300)
    detail = models.CharField(_("détail"), max_length=300, blank=True)

    class Meta:
        ordering = ["observation", "change", "key"]
        verbose_name = _("changement observé")
        verbose_name_plural = _("changements observés")

    def __str__(self) -> str:
        return f"{self.get_change_display()}: {self.label}"
