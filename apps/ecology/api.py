"""Ecology API: stored scenarios and chemostat computations (simulate, equilibria, diagram,
competition), either on a stored scenario (GET) or on a chemostat given in the body (POST).

Computations write nothing, so the POST endpoints are open to everyone; work is bounded by the
serializers (horizon, points, grid, species, parameter ranges) so that the worst case fits the
compute budget; each computation runs in the compute pool under that budget (``run_bounded``),
is cached per input, and counts against the ``compute`` throttle.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ecology import serializers as shapes
from apps.ecology import services
from apps.ecology.models import Scenario
from obrail.api_errors import COMPUTE_ERRORS, NOT_FOUND, error_response
from obrail.compute import run_bounded
from obrail.errors import UnprocessableInput
from obrail.throttling import COMPUTE_THROTTLES

MONOD_BODY = {
    "species": [{"law": "monod", "mu_max": 1.0, "K": 1.0, "yield": 1.0, "x0": 0.1}],
    "D": 0.5,
    "s_in": 5.0,
}
HALDANE_SPECIES = {"law": "haldane", "mu_max": 1.0, "K": 1.0, "Ki": 2.0, "yield": 1.0, "x0": 0.3}
COMPETITION_BODY = {
    "species": [
        {"law": "monod", "mu_max": 1.0, "K": 1.0, "x0": 0.1},
        {"law": "monod", "mu_max": 0.8, "K": 0.4, "x0": 0.1},
    ],
    "D": 0.3,
    "s_in": 5.0,
    "check": True,
}
EQUILIBRIA_EXAMPLE = {
    "equilibria": [
        {
            "s": 5.0,
            "x": [0.0],
            "eigenvalues": [-0.5, 0.3333333333333333],
            "stable": False,
            "stability": "unstable",
            "survivors": [],
        },
        {
            "s": 1.0,
            "x": [4.0],
            "eigenvalues": [-1.0, -0.5],
            "stable": True,
            "stability": "stable",
            "survivors": [0],
        },
    ],
    "break_even": [{"lower": 1.0, "upper": None}],
}
SIMULATION_EXAMPLE = {
    "t": [0.0, 25.0, 50.0],
    "columns": {
        "s": [5.0, 1.0021, 1.0000],
        "x1": [0.1, 3.9981, 4.0000],
        "m": [5.1, 5.0002, 5.0000],
    },
    "is_washout": False,
    "notes": [],
}
DIAGRAM_EXAMPLE = {
    "D": [0.25, 0.5],
    "s_in": [0.0, 10.0],
    "regions": ["washout", "persistence", "bistability"],
    "region": [[0, 0], [1, 0]],
    "counts": {"washout": 3, "persistence": 1, "bistability": 0},
}
COMPETITION_EXAMPLE = {
    "break_even": [{"lower": 0.4286, "upper": None}, {"lower": 0.24, "upper": None}],
    "components": [[0.24, None]],
    "possible_winners": [1],
    "is_washout_possible": False,
    "survivors": [1],
}
INVALID = error_response(
    "Invalid parameters",
    {"D": ["Assurez-vous que cette valeur est supérieure ou égale à 0.01."]},
)
ERRORS = {400: INVALID, **COMPUTE_ERRORS}


def _validated(serializer_class: type[serializers.Serializer], data: Any) -> Any:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer


class ScenarioViewSet(viewsets.ReadOnlyModelViewSet):
    """Stored chemostat scenarios (the course's cases) and computations on them."""

    queryset = Scenario.objects.prefetch_related("species")
    serializer_class = shapes.ScenarioSerializer
    lookup_field = "slug"
    filterset_fields = ("kind",)

    def _parameters(self) -> services.ScenarioParameters:
        return services.parameters_from_scenario(self.get_object())

    @extend_schema(
        summary="Simulate a stored scenario",
        parameters=[shapes.SimulationQuerySerializer],
        responses={200: shapes.SimulationResponseSerializer, 404: NOT_FOUND, **ERRORS},
        examples=[OpenApiExample("Monod", value=SIMULATION_EXAMPLE, response_only=True)],
    )
    @action(detail=True, methods=["get"], throttle_classes=COMPUTE_THROTTLES)
    def simulate(self, request: Request, slug: str) -> Response:
        query = _validated(shapes.SimulationQuerySerializer, request.query_params).validated_data
        series = run_bounded(
            "ecology.simulate",
            services.simulate,
            self._parameters(),
            horizon=query.get("t_end"),
            n_points=query["n_points"],
        )
        return Response(services.series_as_json(series))

    @extend_schema(
        summary="Equilibria of a stored scenario, with eigenvalues and stability",
        responses={200: shapes.EquilibriaResponseSerializer, 404: NOT_FOUND, **ERRORS},
        examples=[OpenApiExample("Monod", value=EQUILIBRIA_EXAMPLE, response_only=True)],
    )
    @action(detail=True, methods=["get"], throttle_classes=COMPUTE_THROTTLES)
    def equilibria(self, request: Request, slug: str) -> Response:
        analysis = run_bounded("ecology.analyse", services.analyse, self._parameters())
        return Response(services.analysis_as_json(analysis))

    @extend_schema(
        summary="Operating diagram of the scenario's first species",
        parameters=[shapes.OperatingDiagramQuerySerializer],
        responses={200: shapes.OperatingDiagramResponseSerializer, 404: NOT_FOUND, **ERRORS},
        examples=[OpenApiExample("Monod, 2 × 2", value=DIAGRAM_EXAMPLE, response_only=True)],
    )
    @action(
        detail=True,
        methods=["get"],
        throttle_classes=COMPUTE_THROTTLES,
        url_path="operating-diagram",
    )
    def operating_diagram(self, request: Request, slug: str) -> Response:
        query = _validated(shapes.OperatingDiagramQuerySerializer, request.query_params)
        diagram = run_bounded(
            "ecology.diagram",
            services.operating_diagram,
            self._parameters(),
            **query.validated_data,
        )
        return Response(services.diagram_as_json(diagram))

    @extend_schema(
        summary="Competition outcome of a stored scenario, checked by simulation",
        responses={200: shapes.CompetitionResponseSerializer, 404: NOT_FOUND, **ERRORS},
        examples=[OpenApiExample("D = 0.3", value=COMPETITION_EXAMPLE, response_only=True)],
    )
    @action(detail=True, methods=["get"], throttle_classes=COMPUTE_THROTTLES)
    def competition(self, request: Request, slug: str) -> Response:
        params = self._parameters()
        if len(params.species) < 2:
            raise UnprocessableInput(
                {
                    "species": [
                        _("Le scénario %(slug)s n'a qu'une espèce : pas de compétition.")
                        % {"slug": slug}
                    ]
                }
            )
        check = run_bounded("ecology.check_competition", services.check_competition, params)
        return Response(services.competition_as_json(check.prediction, check.survivors[0]))


class _ComputeView(APIView):
    permission_classes = (AllowAny,)
    throttle_classes = COMPUTE_THROTTLES


class SimulateView(_ComputeView):
    """Simulate a chemostat given in the body."""

    @extend_schema(
        summary="Simulate a chemostat (N species on one substrate)",
        request=shapes.SimulationInputSerializer,
        responses={200: shapes.SimulationResponseSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Monod", value={**MONOD_BODY, "t_end": 50, "n_points": 3}, request_only=True
            ),
            OpenApiExample("Result", value=SIMULATION_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = _validated(shapes.SimulationInputSerializer, request.data)
        data = serializer.validated_data
        series = run_bounded(
            "ecology.simulate",
            services.simulate,
            serializer.to_parameters(),
            horizon=data["t_end"],
            n_points=data["n_points"],
        )
        return Response(services.series_as_json(series))


class EquilibriaView(_ComputeView):
    """Equilibria of a chemostat given in the body."""

    @extend_schema(
        summary="Equilibria with eigenvalues and stability",
        request=shapes.ChemostatInputSerializer,
        responses={200: shapes.EquilibriaResponseSerializer, **ERRORS},
        examples=[
            OpenApiExample("Monod", value=MONOD_BODY, request_only=True),
            OpenApiExample(
                "Haldane, bistable",
                value={"species": [HALDANE_SPECIES], "D": 0.35, "s_in": 5.0},
                request_only=True,
            ),
            OpenApiExample("Monod result", value=EQUILIBRIA_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = _validated(shapes.ChemostatInputSerializer, request.data)
        analysis = run_bounded("ecology.analyse", services.analyse, serializer.to_parameters())
        return Response(services.analysis_as_json(analysis))


class OperatingDiagramView(_ComputeView):
    """Operating diagram of one species given in the body."""

    @extend_schema(
        summary="Operating diagram: regions of the (D, s_in) plane",
        request=shapes.OperatingDiagramInputSerializer,
        responses={200: shapes.OperatingDiagramResponseSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Haldane",
                value={"species": HALDANE_SPECIES, "grid": 50, "d_max": 0.5, "s_in_max": 10},
                request_only=True,
            ),
            OpenApiExample("Result", value=DIAGRAM_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = _validated(shapes.OperatingDiagramInputSerializer, request.data)
        data = {k: v for k, v in serializer.validated_data.items() if k != "species"}
        diagram = run_bounded(
            "ecology.diagram", services.operating_diagram, serializer.to_parameters(), **data
        )
        return Response(services.diagram_as_json(diagram))


class CompetitionView(_ComputeView):
    """Competition outcome of species given in the body."""

    @extend_schema(
        summary="Competitive exclusion: possible winners, optionally checked by simulation",
        request=shapes.CompetitionInputSerializer,
        responses={200: shapes.CompetitionResponseSerializer, **ERRORS},
        examples=[
            OpenApiExample("Two crossing Monod laws", value=COMPETITION_BODY, request_only=True),
            OpenApiExample("Outcome", value=COMPETITION_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = _validated(shapes.CompetitionInputSerializer, request.data)
        params = serializer.to_parameters()
        if serializer.validated_data["check"]:
            check = run_bounded("ecology.check_competition", services.check_competition, params)
            return Response(services.competition_as_json(check.prediction, check.survivors[0]))
        prediction = run_bounded("ecology.competition", services.competition, params)
        return Response(services.competition_as_json(prediction))
