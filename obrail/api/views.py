"""Base views of the read-only API: JSON or CSV, throttles, JSON errors, CSV list exports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from obrail.api.csv_export import CSV_CHUNK_SIZE, CSVRenderer, stream_csv
from obrail.authentication import BasicAuthentication, SessionAuthentication
from obrail.renderers import FastJSONRenderer
from obrail.throttling import AnonThrottle, UserThrottle


class ReadOnlyApiMixin:
    """JSON or CSV, configurable throttles, 405 before any permission check, JSON errors."""

    renderer_classes = (FastJSONRenderer, CSVRenderer)
    throttle_classes = (AnonThrottle, UserThrottle)
    authentication_classes = (BasicAuthentication, SessionAuthentication)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # A method the view never serves is a 405 for everyone, not a 403 for anonymous users.
        if not hasattr(self, request.method.lower()):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple:
        # DRF answers an unknown ?format= with a 404 and ignores an empty one: both are 400s.
        asked = request.query_params.get("format")
        if not force and asked is not None:
            formats = [renderer.format for renderer in self.get_renderers()]
            if asked not in formats:
                raise exceptions.ValidationError(
                    {
                        "format": [
                            _("doit être l'une des valeurs : %(choices)s.")
                            % {"choices": ", ".join(formats)}
                        ]
                    }
                )
        return super().perform_content_negotiation(request, force)

    def handle_exception(self, exc: Exception) -> Response:
        """Errors are always JSON, even when CSV was asked for."""
        self.request.accepted_renderer = FastJSONRenderer()
        self.request.accepted_media_type = FastJSONRenderer.media_type
        return super().handle_exception(exc)


class CsvListMixin(ReadOnlyApiMixin):
    """List views that stream the whole filtered list as CSV for ``?format=csv``."""

    csv_columns: tuple[str, ...] = ()
    csv_filename = "export.csv"

    def csv_row(self, obj: Any) -> Mapping[str, Any]:
        """One CSV line: the ``csv_columns`` attributes of ``obj`` (override for more)."""
        return {name: getattr(obj, name) for name in self.csv_columns}

    def csv_queryset(self, queryset: QuerySet) -> QuerySet:
        """The queryset streamed as CSV (add what ``csv_row`` reads)."""
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == "csv":
            if self.paginator is not None:
                self.paginator.check_parameters(request)
            rows = self.csv_queryset(queryset).iterator(chunk_size=CSV_CHUNK_SIZE)
            return stream_csv(
                rows, columns=self.csv_columns, flatten=self.csv_row, filename=self.csv_filename
            )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
