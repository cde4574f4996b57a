"""Incidents reported by Alertmanager, and service notices declared by admins."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class Incident(models.Model):
    """One firing episode of an alert: created when it fires, updated when it resolves.

    Alertmanager identifies an alert by the fingerprint of its labels; each new episode of the
    same alert has a new start time, so (fingerprint, starts_at) is the natural key.
    """

    class Status(models.TextChoices):
        FIRING = "firing", _("en cours")
        RESOLVED = "resolved", _("résolu")

    class Severity(models.TextChoices):
        CRITICAL = "critical", _("critique")
        WARNING = "warning", _("avertissement")
        INFO = "info", _("information")

    fingerprint = models.CharField(_("empreinte Alertmanager"), max_length=64)
    alertname = models.CharField(_("alerte"), max_length=200)
    severity = models.CharField(
        _("gravité"), max_length=10, choices=Severity.choices, default=Severity.INFO
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    summary = models.CharField(_("résumé"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    labels = models.JSONField(_("étiquettes"), default=dict, blank=True)
    generator_url = models.CharField(_("lien vers la règle"), max_length=1000, blank=True)
    received_at = models.DateTimeField(_("première notification"), auto_now_add=True)
    updated_at = models.DateTimeField(_("dernière notification"), auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint", "starts_at"], name="incident_unique_episode"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gte=models.F("starts_at")),
                name="incident_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "-starts_at"], name="incident_status_start")]

    def __str__(self) -> str:
        return f"{self.alertname} ({self.get_status_display()}) {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_firing(self) -> bool:
        """Whether the incident is still open."""
        return self.status == self.Status.FIRING

    @property
    def duration(self) -> dt.timedelta | None:
        """How long the incident lasted, once resolved."""
        return self.ends_at - self.starts_at if self.ends_at else None


class ServiceNotice(models.Model):
    """An incident, a planned maintenance window or a data delay, declared by an admin.

    Shown on the status page with its state: current and upcoming first, then the recent
    history. The French title is required; the English one is shown on English pages when
    given (else the French one, marked as French).
    """

    class Kind(models.TextChoices):
        INCIDENT = "incident", _("incident")
        MAINTENANCE = "maintenance", _("maintenance planifiée")
        DATA_DELAY = "data_delay", _("retard des données")

    class State(models.TextChoices):
        PLANNED = "planned", _("planifié")
        ONGOING = "ongoing", _("en cours")
        RESOLVED = "resolved", _("terminé")

    class Component(models.TextChoices):
        PAGES = "pages", _("pages web")
        API = "api", _("API")
        ROUTING = "routing", _("itinéraires")
        INDICATORS = "indicators", _("indicateurs")
        DATA = "data", _("données et imports")
        ADMIN = "admin", _("administration")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    state = models.CharField(_("état"), max_length=10, choices=State.choices)
    title = models.CharField(_("titre (français)"), max_length=200)
    title_en = models.CharField(
        _("titre (anglais)"),
        max_length=200,
        blank=True,
        help_text=_("Facultatif : les pages en anglais montrent sinon le titre français."),
    )
    description = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(
        _("fin"),
        null=True,
        blank=True,
        help_text=_("Obligatoire pour une maintenance et pour un événement terminé."),
    )
    components = models.JSONField(_("éléments concernés"), default=list)
    created_at = models.DateTimeField(_("déclaré le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("événement déclaré")
        verbose_name_plural = _("événements déclarés (incidents, maintenances, retards)")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="notice_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="resolved") | models.Q(ends_at__isnull=False),
                name="notice_resolved_has_end",
            ),
        ]
        indexes = [models.Index(fields=["state", "starts_at"], name="notice_state_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.title} ({self.get_state_display()})"

    def clean(self) -> None:
        """Refuse an inconsistent notice, each message on its field, in plain French."""
        errors: dict[str, list[str]] = {}
        now = timezone.now()
        start, end = self.starts_at, self.ends_at
        if start and end and end <= start:
            errors.setdefault("ends_at", []).append(_("La fin doit être après le début."))
        if self.kind == self.Kind.MAINTENANCE and not end:
            errors.setdefault("ends_at", []).append(_("Indiquez la fin prévue de la maintenance."))
        if self.state == self.State.RESOLVED and not end:
            errors.setdefault("ends_at", []).append(_("Un événement terminé doit avoir une fin."))
        if self.state == self.State.RESOLVED and end and end > now:
            errors.setdefault("state", []).append(
                _("La fin est dans le futur : l'événement ne peut pas être terminé.")
            )
        if self.state == self.State.PLANNED and start and start <= now:
            errors.setdefault("state", []).append(
                _("Le début est passé : choisissez « en cours » ou « terminé ».")
            )
        if self.state == self.State.ONGOING and start and start > now:
            errors.setdefault("state", []).append(
                _("Le début est dans le futur : choisissez « planifié ».")
            )
        unknown = [c for c in self.components or [] if c not in self.Component.values]
        if not self.components:
            errors.setdefault("components", []).append(_("Cochez au moins un élément concerné."))
        elif unknown:
            errors.setdefault("components", []).append(
                _("Élément inconnu : %(names)s.") % {"names": ", ".join(map(str, unknown))}
            )
        if errors:
            raise ValidationError(errors)

    @property
    def shown_title(self) -> str:
        """The title in the active language when it was given, else the French one."""
        return self.title_en if self._in_english and self.title_en else self.title

    @property
    def shown_description(self) -> str:
        """The description in the active language when it was given, else the French one."""
        if self._in_english and (self.title_en or self.description_en):
            return self.description_en
        return self.description

    @property
    def shown_in_french(self) -> bool:
        """Whether the title shown is the French one on a page in another language."""
        return self._in_english and not self.title_en

    @property
    def _in_english(self) -> bool:
        return (translation.get_language() or "fr").startswith("en")

    def component_labels(self) -> list[str]:
        """The affected components' names, in the active language."""
        labels = dict(self.Component.choices)
        return [str(labels[c]) for c in self.components if c in labels]
