"""Request body parsers of the API: JSON only, and a clear 400 for any body it cannot read."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser

__all__ = ["JSONParser"]


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, with a 400 (not a 500) for JSON nested deeper than Python's
    recursion limit (``[[[[…]]]]`` 100,000 levels deep)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(
                _("Erreur de lecture du JSON : le corps est imbriqué trop profondément.")
            ) from error
