"""Admin of the registry: read-only rows; promotion, rollback and retirement as actions that
ask for the reason and go through the audited services."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from apps.mlregistry import services
from apps.mlregistry.models import ModelVersion, RegisteredModel, RegistryEvent
from obrail.admin import ReadOnlyAdmin
from obrail.errors import InvalidInput


class ReasonForm(forms.Form):
    """The reason an admin gives for a change (kept in the audit log)."""

    reason = forms.CharField(
        label=_("Motif"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


def _with_reason(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    apply: Callable[[object, str], str],
) -> HttpResponse | None:
    """Ask for the reason, then apply the change to each selected row."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        for obj in queryset:
            try:
                message = apply(obj, form.cleaned_data["reason"])
            except (InvalidInput, LookupError) as error:
                modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)
            else:
                modeladmin.message_user(request, message, messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "action": request.POST.get("action", ""),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/mlregistry/change_reason.html", context)


def _version_action(service: str, title: str, done: str) -> Callable[..., HttpResponse | None]:
    """An admin action that applies ``services.<service>`` to each selected version, with the
    reason asked first; ``done`` says it for one ``%(version)s``."""

    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        def apply(version: object, reason: str) -> str:
            getattr(services, service)(
                version.model.name, version.number, actor=request.user.get_username(), reason=reason
            )
            return str(done % {"version": f"{version.model.name} v{version.number}"})

        return _with_reason(modeladmin, request, queryset, title=str(title), apply=apply)

    action.__name__ = service
    return action


@admin.register(RegisteredModel)
class RegisteredModelAdmin(ReadOnlyAdmin):
    list_display = ["name", "title", "family", "created_at"]
    actions = ["rollback"]

    @admin.action(description=_("Revenir à la version en production précédente"))
    def rollback(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        def apply(model: object, reason: str) -> str:
            version = services.rollback(
                model.name, actor=request.user.get_username(), reason=reason
            )
            return str(
                _("%(model)s : version %(n)s remise en production.")
                % {"model": model, "n": version.number}
            )

        return _with_reason(self, request, queryset, title=str(_("Retour arrière")), apply=apply)


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["model", "number", "status", "trained_at", "trained_by", "sha256"]
    list_filter = ["model", "status"]
    exclude = ["artefact"]
    actions = ["promote", "retire"]

    promote = admin.action(description=_("Mettre en production"))(
        _version_action("promote", _("Mise en production"), _("%(version)s mise en production."))
    )
    retire = admin.action(description=_("Retirer"))(
        _version_action("retire", _("Retrait"), _("%(version)s retirée."))
    )


@admin.register(RegistryEvent)
class RegistryEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "model", "action", "version", "previous", "actor", "reason"]
    list_filter = ["model", "action"]
