"""The registry's endpoints: ``/api/models``, ``/api/models/{name}``, ``.../predict``,
``.../promote`` and ``.../rollback``."""

from __future__ import annotations

import time

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.mlregistry import services
from apps.mlregistry.metrics import observe_prediction
from apps.mlregistry.models import ModelVersion, RegisteredModel, RegistryEvent
from apps.mlregistry.serializers import (
    ChangeResultSerializer,
    ModelDetailSerializer,
    ModelSummarySerializer,
    PredictionSerializer,
    PredictQuerySerializer,
    PromoteSerializer,
    RollbackSerializer,
)
from apps.mlregistry.serving import ModelUnavailable, serving_model
from obrail.api_errors import error_response

NAME = OpenApiParameter(
    "name", str, OpenApiParameter.PATH, pattern="^[-a-zA-Z0-9_]+$", description="Model name."
)
UNAVAILABLE = error_response(
    "No version of the model can be served (none in production, or its artefact was refused)",
    {"detail": ["modal-share : aucune version en production."]},
)
UNPROCESSABLE_CHANGE = error_response(
    "A version that does not exist, is already in production, or whose artefact is refused; "
    "a rollback without an earlier version",
    {"version": ["La version 3 est déjà en production."]},
)
VERSION_HEADER = "X-Model-Version"


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "Model unavailable."


def _unknown(name: str) -> exceptions.NotFound:
    return exceptions.NotFound(_("Modèle inconnu : %(name)s.") % {"name": name})


def _model_or_404(queryset: QuerySet[RegisteredModel], name: str) -> RegisteredModel:
    """The registered model, or a 404 naming the model that was asked for."""
    try:
        return queryset.get(name=name)
    except RegisteredModel.DoesNotExist as error:
        raise _unknown(name) from error


def _serving(name: str):
    try:
        return serving_model(name)
    except ModelUnavailable as error:
        raise ServiceUnavailable({"detail": [str(error)]}) from error
    except LookupError as error:
        raise _unknown(name) from error


def _models():
    return RegisteredModel.objects.prefetch_related(
        Prefetch("versions", queryset=ModelVersion.objects.order_by("-number"))
    )


class ModelListView(APIView):
    """``GET /api/models``: the registered models and the version each serves."""

    @extend_schema(
        operation_id="models_list",
        summary="Registered models",
        description="Every model of the registry, its family and the version in production.",
        responses={200: ModelSummarySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(ModelSummarySerializer(_models(), many=True).data)


class ModelDetailView(APIView):
    """``GET /api/models/{name}``: a model, its versions (card, metrics, data) and audit."""

    @extend_schema(
        operation_id="models_retrieve",
        summary="One model: versions, cards, metrics, audit log",
        description=(
            "Every version with its status, artefact checksum, seed, the data it was trained "
            "on (training file checksum and the latest import of each source), parameters, "
            "metrics (leave-one-out error) and model card; and every change of the registry "
            "(who, when, why). `version` is the version in production."
        ),
        parameters=[NAME],
        responses={200: ModelDetailSerializer},
    )
    def get(self, request: Request, name: str) -> Response:
        events = RegistryEvent.objects.select_related("version", "previous")
        model = _model_or_404(_models().prefetch_related(Prefetch("events", events)), name)
        response = Response(ModelDetailSerializer(model).data)
        if response.data["version"] is not None:
            response[VERSION_HEADER] = str(response.data["version"])
        return response


class PredictView(APIView):
    """``GET /api/models/{name}/predict``: the production version's answer."""

    @extend_schema(
        operation_id="models_predict",
        summary="Predict with the version in production",
        description=(
            "Rail's share of the rail+air market between two cities for a fastest rail time, "
            "with its 90 % bootstrap band; with `air_passengers`, the passengers that could "
            "shift to rail (a potential under the model's assumptions, never a forecast). "
            "`version` (and the `X-Model-Version` header) names the version that answered."
        ),
        parameters=[NAME, PredictQuerySerializer],
        responses={200: PredictionSerializer, 503: UNAVAILABLE},
        examples=[
            OpenApiExample(
                "Paris–Lyon at 1 h 57",
                value={
                    "model": "modal-share",
                    "version": 1,
                    "rail_time_min": 117.0,
                    "rail_share_pct": 79.9,
                    "band_pct": [72.7, 85.8],
                    "is_extrapolated": True,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, name: str) -> Response:
        loaded = _serving(name)
        query = PredictQuerySerializer(data=request.query_params)
        if not query.is_valid():
            observe_prediction(model=name, version=loaded.number, outcome="invalid", seconds=0)
            raise exceptions.ValidationError(query.errors)
        started = time.perf_counter()
        try:
            answer = loaded.predictor.predict(**query.validated_data)
        except ValueError:
            observe_prediction(model=name, version=loaded.number, outcome="error", seconds=0)
            raise
        observe_prediction(
            model=name, version=loaded.number, outcome="ok",
            seconds=time.perf_counter() - started,
        )  # fmt: skip
        response = Response({"model": name, "version": loaded.number, **answer})
        response[VERSION_HEADER] = str(loaded.number)
        return response


def _actor(request: Request) -> str:
    return request.user.get_username()


def _changed(name: str, version: ModelVersion) -> Response:
    event = version.events.order_by("-at", "-pk").first()
    previous = event.previous.number if event and event.previous else None
    data = {"model": name, "version": version.number, "previous": previous}
    response = Response(data)
    response[VERSION_HEADER] = str(version.number)
    return response


class _VersionChange(APIView):
    """A staff change of a model's production version: the body validated, the audited
    service called, the version now in production answered."""

    body: type[serializers.Serializer]

    def change(self, name: str, data: dict, *, actor: str) -> ModelVersion:
        """Make the change through the audited service; return the version now serving."""
        raise NotImplementedError

    def post(self, request: Request, name: str) -> Response:
        _model_or_404(RegisteredModel.objects.all(), name)
        body = self.body(data=request.data)
        body.is_valid(raise_exception=True)
        return _changed(name, self.change(name, body.validated_data, actor=_actor(request)))


@extend_schema_view(
    post=extend_schema(
        operation_id="models_promote",
        summary="Put a version in production (staff)",
        description=(
            "The artefact is checked (checksum, format) before the switch; the previous "
            "production version is retired; the change is logged with the user and `reason`. "
            "Every process serves the new version from its next request."
        ),
        parameters=[NAME],
        request=PromoteSerializer,
        responses={200: ChangeResultSerializer, 422: UNPROCESSABLE_CHANGE},
    )
)
class PromoteView(_VersionChange):
    """``POST /api/models/{name}/promote``: put a version in production (staff)."""

    body = PromoteSerializer

    def change(self, name: str, data: dict, *, actor: str) -> ModelVersion:
        return services.promote(name, data["version"], actor=actor, reason=data["reason"])


@extend_schema_view(
    post=extend_schema(
        operation_id="models_rollback",
        summary="Back to the previous production version (staff)",
        description=(
            "Puts back in production the version that was serving before the current one "
            "(checked first); logged with the user and `reason`."
        ),
        parameters=[NAME],
        request=RollbackSerializer,
        responses={200: ChangeResultSerializer, 422: UNPROCESSABLE_CHANGE},
    )
)
class RollbackView(_VersionChange):
    """``POST /api/models/{name}/rollback``: back to the previous production version (staff)."""

    body = RollbackSerializer

    def change(self, name: str, data: dict, *, actor: str) -> ModelVersion:
        return services.rollback(name, actor=actor, reason=data["reason"])
