"""The registry's tables: models, their versions (artefact, checksum, card) and the audit."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegisteredModel(models.Model):
    """A model the site can serve, under a stable name (``modal-share``)."""

    name = models.SlugField(_("nom"), max_length=60, unique=True)
    family = models.CharField(_("famille"), max_length=60)
    title = models.CharField(_("titre"), max_length=200)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("modèle")
        verbose_name_plural = _("modèles")

    def __str__(self) -> str:
        return self.name


class ModelVersion(models.Model):
    """One trained version: its artefact (canonical JSON), checksum, data, metrics and card."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("candidat")
        PRODUCTION = "production", _("en production")
        RETIRED = "retired", _("retiré")

    model = models.ForeignKey(
        RegisteredModel, on_delete=models.PROTECT, related_name="versions", verbose_name=_("modèle")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.CANDIDATE
    )
    #: The artefact as canonical JSON text (sorted keys, no whitespace): no pickle, readable,
    #: and the same bytes for the same data and seed.
    artefact = models.TextField(_("artefact (JSON)"))
    sha256 = models.CharField(_("empreinte SHA-256 de l'artefact"), max_length=64)
    seed = models.BigIntegerField(_("graine"))
    parameters = models.JSONField(_("paramètres"), default=dict)
    metrics = models.JSONField(_("métriques"), default=dict)
    card = models.JSONField(_("fiche du modèle"), default=dict)
    #: What it was trained on: the training file and its checksum, and the latest successful
    #: import of each source when it was trained (the data its application reads).
    data_version = models.JSONField(_("version des données"), default=dict)
    trained_at = models.DateTimeField(_("entraîné le"), auto_now_add=True)
    trained_by = models.CharField(_("entraîné par"), max_length=150)

    class Meta:
        ordering = ["model", "-number"]
        verbose_name = _("version de modèle")
        verbose_name_plural = _("versions de modèle")
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="modelversion_unique_number"),
            models.UniqueConstraint(
                fields=["model"],
                condition=Q(status="production"),
                name="modelversion_one_production",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model.name} v{self.number} ({self.status})"


class RegistryEvent(models.Model):
    """One change of the registry: who did what, when and why."""

    class Action(models.TextChoices):
        TRAIN = "train", _("entraînement")
        PROMOTE = "promote", _("mise en production")
        ROLLBACK = "rollback", _("retour arrière")
        RETIRE = "retire", _("retrait")

    model = models.ForeignKey(
        RegisteredModel, on_delete=models.PROTECT, related_name="events", verbose_name=_("modèle")
    )
    version = models.ForeignKey(
        ModelVersion,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("version concernée"),
    )
    previous = models.ForeignKey(
        ModelVersion,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("version en production avant"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.CharField(_("par"), max_length=150)
    reason = models.TextField(_("motif"))
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("événement du registre")
        verbose_name_plural = _("journal du registre")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.version}"
