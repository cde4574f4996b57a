"""Schema pieces every list or detail operation shares: the format parameter and the error
responses."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from obrail.api_errors import BAD_REQUEST, NOT_FOUND, THROTTLED, error_response

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="`csv` streams the whole filtered list (no pagination) as a CSV download.",
)
BAD_CREDENTIALS = error_response(
    "Invalid credentials (only when a bad Authorization header is sent; reading needs none)",
    {"detail": ["Nom d'utilisateur et/ou mot de passe non valide(s)."]},
)
BAD_FORMAT = error_response(
    "Unknown format", {"format": ["doit être l'une des valeurs : json, csv."]}
)
PAGE_NOT_FOUND = error_response("Page past the end of the list", {"detail": ["Page non valide."]})
LIST_ERRORS = {400: BAD_REQUEST, 403: BAD_CREDENTIALS, 429: THROTTLED}
PAGED_LIST_ERRORS = {**LIST_ERRORS, 404: PAGE_NOT_FOUND}
DETAIL_ERRORS = {400: BAD_FORMAT, 403: BAD_CREDENTIALS, 404: NOT_FOUND, 429: THROTTLED}
CSV_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.STR, description="CSV export when `format=csv` (text/csv)."
)
