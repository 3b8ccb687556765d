"""Small pieces shared by the API parts: query-parameter parsing with clear 400 messages, the ETag / If-Match
version check, one-object lookups through org.access, and the documented error answers of the schema."""

import re
from datetime import date

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView

from org import access

KELURAHAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


# --- query parameters -------------------------------------------------------------------------

def _bad(name: str, message: str):
    return exceptions.ValidationError({name: [message]})


def query_date(request, name: str) -> date | None:
    """`?name=YYYY-MM-DD`, or None when absent or empty."""
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    try:
        value = parse_date(text)
    except ValueError:
        value = None
    if value is None:
        raise _bad(name, _("Enter a date as YYYY-MM-DD, e.g. 2026-03-31."))
    return value


def query_date_range(request, start: str, end: str) -> tuple[date | None, date | None]:
    """Two date parameters that must be in order (both ends included)."""
    first, last = query_date(request, start), query_date(request, end)
    if first and last and first > last:
        raise _bad(end, _("The end date is before the start date."))
    return first, last


def query_int(request, name: str) -> int | None:
    """A positive whole number (an id), or None."""
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise _bad(name, _("Enter a whole number (an id)."))
    return int(text)


def query_choice(request, name: str, choices) -> str:
    """One of `choices` (values), or "" when absent."""
    text = request.query_params.get(name, "").strip()
    values = [str(value) for value in choices]
    if text and text not in values:
        raise _bad(name, _("Unknown value “%(value)s”; use one of: %(choices)s.")
                   % {"value": text[:40], "choices": ", ".join(values)})
    return text


def query_kelurahan(request, name: str = "kelurahan") -> str:
    """A kelurahan code (`31.75.01.1001`) of the user's area (org.access.visible_kelurahan), or ""."""
    code = request.query_params.get(name, "").strip()
    if not code:
        return ""
    if not KELURAHAN_CODE.match(code):
        raise _bad(name, _("Give a kelurahan code like 31.75.01.1001."))
    if not access.visible_kelurahan(request.user).filter(code=code).exists():
        raise _bad(name, _("No kelurahan with code %(code)s in your area.") % {"code": code})
    return code


# --- versions: ETag and If-Match ----------------------------------------------------------------

class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = gettext_lazy("Send the If-Match header with the ETag (version) you last read; "
                                  "it keeps two offline edits from overwriting each other.")
    default_code = "precondition_required"


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(request) -> int | None:
    """The version named by the If-Match header (`"7"`, `W/"7"` or `7`); None when it names none we could
    have given (it then matches nothing: a conflict). Missing, or `*` (which would match anything): 428."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() and len(tag) < 10 else None


# --- views ------------------------------------------------------------------------------------

class ScopedAPIView(GenericAPIView):
    """A view whose rows come from org.access: `get_queryset()` is already scoped; `get_object()` answers 404
    for a missing and an out-of-scope row alike, and 403 when `for_write` and the user only reads."""

    def get_object(self, *, for_write: bool = False):
        return access.get_scoped_or_404(self.request.user, self.get_queryset(), self.kwargs["pk"],
                                        for_write=for_write)


# --- the schema's documented answers ----------------------------------------------------------

ERROR = inline_serializer("Error", fields={"detail": serializers.CharField()})

ERRORS = {
    status.HTTP_400_BAD_REQUEST: OpenApiResponse(
        OpenApiTypes.OBJECT, description="Invalid input: the messages per field (`non_field_errors` for the whole)."),
    status.HTTP_401_UNAUTHORIZED: OpenApiResponse(ERROR, description="No, invalid or revoked token; no session."),
    status.HTTP_403_FORBIDDEN: OpenApiResponse(
        ERROR, description="The role may not do this (an auditor's write; a user without a role)."),
    status.HTTP_404_NOT_FOUND: OpenApiResponse(
        ERROR, description="No such object in your scope (missing and out of scope look alike), or no such page."),
}


def errors(*codes: int) -> dict:
    """The documented error answers `codes` (e.g. `errors(400, 401, 403, 404)`), for `extend_schema(responses=)`."""
    return {code: ERRORS[code] for code in codes}


def date_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.DATE, description=description)


KELURAHAN_PARAMETER = OpenApiParameter(
    "kelurahan", str, pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$",
    description="A kelurahan code of your area, e.g. `31.75.01.1001`.")
FACILITATOR_PARAMETER = OpenApiParameter("facilitator", int, description="A facilitator's user id.")


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents api.authentication.TokenAuthentication in the schema (Swagger UI's "Authorize" sends Bearer)."""

    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "`Authorization: Token <key>` or `Authorization: Bearer <key>`; create a token at "
                               "/accounts/tokens/."}


# An object's id in a path: `<int:pk>` routes only digits (anything else is the site's HTML 404), so the schema
# says so; ids past the database's integer range simply find nothing (404).
ID_PARAMETER = OpenApiParameter("id", {"type": "integer", "minimum": 1, "maximum": 2147483647},
                                OpenApiParameter.PATH, description="The object's id.")
