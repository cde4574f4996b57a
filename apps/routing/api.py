"""The routes endpoint."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.routing.pathfinding import JOURNEY_METHODS, METHODS, TRAIN_FILTERS
from apps.routing.serializers import ParetoQuerySerializer, RouteQuerySerializer, RouteSerializer
from apps.routing.services import (
    CRITERIA,
    RoutingUnavailable,
    find_route,
    pareto_routes,
    resolve_station,
)
from obrail.api_errors import THROTTLED, ErrorResponseSerializer, error_response
from obrail.throttling import COMPUTE_THROTTLES

# The query serializers' station fields: not blank, at most 200 characters, no NUL.
STATION_PARAMETER = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\x00]*$"}
ROUTE_BAD_REQUEST = error_response(
    "A parameter outside its documented form", {"depart": ["Date et heure ISO 8601 attendues."]}
)
ROUTE_UNPROCESSABLE = error_response(
    "Well-formed but unanswerable: unknown or ambiguous station, a date no source covers, an "
    "option the method does not take, no route, or a search cut by its CPU budget (the solver "
    "runs in the compute pool)",
    {"from": ["Gare ou ville inconnue : « Atlantis »."]},
)
UNAVAILABLE = OpenApiResponse(
    response=ErrorResponseSerializer,
    description="No routing artefact built yet, every compute process busy, or the search out "
    "of wall-clock time on a loaded machine (retry after Retry-After seconds)",
    examples=[
        OpenApiExample(
            "Not built", value={"errors": {"detail": ["Le calcul d'itinéraires est indisponible."]}}
        )
    ],
)


def _unavailable() -> Response:
    """The 503 of a search without a routing artefact (``UNAVAILABLE``'s "Not built"), in
    the request's language."""
    return Response(
        {"errors": {"detail": [_("Le calcul d'itinéraires est indisponible.")]}},
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


class RouteView(APIView):
    """``GET /api/routes``: shortest route or earliest-arrival journey between two stations."""

    throttle_classes = COMPUTE_THROTTLES

    @extend_schema(
        operation_id="routes_retrieve",
        summary="Route between two stations",
        description=(
            "Without `depart`: shortest path on the rail network for `criterion` (time in "
            "minutes, distance in km, CO2e in kg). With `depart`: earliest-arrival journey on "
            "the trains running that date and the next one (and those of earlier dates still "
            "running), boarding and alighting only where the timetable allows it, with "
            "transfers. Any date a source covers is answered; another date is a 422 on "
            "`depart` listing the covered periods. Every answer carries the rail CO2e, under "
            "`co2_method`, and the flight equivalent between the end stations' towns by the "
            "atlas's rule (null when both towns are not served by airports, or are the same)."
        ),
        parameters=[
            OpenApiParameter(
                "from",
                STATION_PARAMETER,
                required=True,
                description="Departure station: id, UIC code or exact name.",
            ),
            OpenApiParameter(
                "to",
                STATION_PARAMETER,
                required=True,
                description="Arrival station: id, UIC code or exact name.",
            ),
            OpenApiParameter(
                "depart",
                OpenApiTypes.DATETIME,
                description="Earliest departure, ISO 8601, origin local time unless offset given.",
            ),
            OpenApiParameter("criterion", str, enum=list(CRITERIA), default="time"),
            OpenApiParameter(
                "method",
                str,
                enum=[*METHODS, *JOURNEY_METHODS],
                description="Algorithm; default scipy_limited (network) or blocks (journey).",
            ),
            OpenApiParameter("trains", str, enum=list(TRAIN_FILTERS), default="all"),
            OpenApiParameter(
                "max_transfers",
                {"type": "integer", "minimum": 0, "maximum": 10},
                description="Maximum changes of train (journeys).",
            ),
        ],
        responses={
            200: RouteSerializer,
            400: ROUTE_BAD_REQUEST,
            422: ROUTE_UNPROCESSABLE,
            429: THROTTLED,
            503: UNAVAILABLE,
        },
    )
    def get(self, request: Request) -> Response:
        query = RouteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            answer = find_route(
                origin=resolve_station(data["from"], parameter="from"),
                destination=resolve_station(data["to"], parameter="to"),
                criterion=data["criterion"],
                method=data.get("method"),
                depart=data.get("depart"),
                trains=data["trains"],
                max_transfers=data.get("max_transfers"),
            )
        except RoutingUnavailable:
            return _unavailable()
        return Response(RouteSerializer(answer).data)


class ParetoRouteView(APIView):
    """``GET /api/routes/pareto``: the journeys of a departure window no other one beats."""

    throttle_classes = COMPUTE_THROTTLES

    @extend_schema(
        operation_id="routes_pareto_list",
        summary="Pareto-optimal journeys over a departure window",
        description=(
            "Every journey leaving between `depart` and `until` (origin's local time unless an "
            "offset is given) that no other journey beats at once on later departure, earlier "
            "arrival and fewer transfers, sorted by departure."
        ),
        parameters=[
            OpenApiParameter(
                "from", STATION_PARAMETER, required=True, description="Departure station."
            ),
            OpenApiParameter(
                "to", STATION_PARAMETER, required=True, description="Arrival station."
            ),
            OpenApiParameter("depart", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("until", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("trains", str, enum=list(TRAIN_FILTERS), default="all"),
            OpenApiParameter(
                "max_transfers", {"type": "integer", "minimum": 0, "maximum": 6}, default=3
            ),
        ],
        responses={
            200: RouteSerializer(many=True),
            400: ROUTE_BAD_REQUEST,
            422: ROUTE_UNPROCESSABLE,
            429: THROTTLED,
            503: UNAVAILABLE,
        },
    )
    def get(self, request: Request) -> Response:
        query = ParetoQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            answers = pareto_routes(
                origin=resolve_station(data["from"], parameter="from"),
                destination=resolve_station(data["to"], parameter="to"),
                depart=data["depart"],
                until=data["until"],
                trains=data["trains"],
                max_transfers=data["max_transfers"],
            )
        except RoutingUnavailable:
            return _unavailable()
        return Response(RouteSerializer(answers, many=True).data)
