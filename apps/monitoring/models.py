"""Incidents reported by Alertmanager."""

from __future__ import annotations

import datetime as dt

from django.db import models
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
