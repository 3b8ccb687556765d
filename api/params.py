"""Pieces shared by the P2K2, case, graduation and monitoring endpoints: query parameters validated by a
serializer (a bad value answers 400 naming the parameter), the `from`/`to` date range, the permission of
endpoints that change one object, and small nested representations (a person, a region, a household)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission

from api.common import KELURAHAN_CODE, query_kelurahan

# Writes are documented (and meant) as JSON; a form-encoded body is parsed too, so that a request with the
# wrong body still reaches the scope and permission checks and answers 404 / 403 / 400 rather than 415.
WRITE_PARSERS = [JSONParser, FormParser, MultiPartParser]


class SignedInWithRole(BasePermission):
    """For endpoints that change one object: any signed-in user with a role gets through here; the view then
    looks the object up in the user's scope (404 when out of it) and only then checks the right to change
    it (403), so that a 403 never confirms that an object of another area exists."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and (user.role or user.is_superuser))


class DateRangeQuery(serializers.Serializer):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD`, both optional, both included."""

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: the fields are added here rather than declared in the class body.
        # The messages are those of api.common's date parameters: one wording across the API.
        invalid = {"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2026-03-31.")}
        fields["from"] = serializers.DateField(required=False, error_messages=invalid,
                                               help_text=_("First day (YYYY-MM-DD), included."))
        fields["to"] = serializers.DateField(required=False, error_messages=invalid,
                                             help_text=_("Last day (YYYY-MM-DD), included."))
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": _("The end date is before the start date.")})
        return attrs


def query_params(request, serializer_class) -> dict:
    """The request's query parameters, validated by `serializer_class` (400 with a message per parameter); a
    `kelurahan` must be a code of the user's area (api.common.query_kelurahan, as the other parts)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    params = dict(serializer.validated_data)
    if "kelurahan" in serializer.fields:
        params["kelurahan"] = query_kelurahan(request)
    return params


def date_range(queryset, params: dict, field: str):
    """Rows whose `field` (a date, or a datetime's local date as `<name>__date`) lies within from/to."""
    if params.get("from"):
        queryset = queryset.filter(**{f"{field}__gte": params["from"]})
    if params.get("to"):
        queryset = queryset.filter(**{f"{field}__lte": params["to"]})
    return queryset


class PersonSerializer(serializers.Serializer):
    """A staff member: id, username and full name."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)


class RegionSerializer(serializers.Serializer):
    """A region by its Kemendagri code and name."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class KelurahanQueryField(serializers.RegexField):
    """`?kelurahan=31.75.01.1001` (checked against the user's area by `query_params`)."""

    def __init__(self, **kwargs):
        super().__init__(KELURAHAN_CODE, required=False, help_text=_("A kelurahan code of your area, e.g. 31.75.01.1001."),
                         error_messages={"invalid": _("Give a kelurahan code like 31.75.01.1001.")}, **kwargs)


class IdQueryField(serializers.IntegerField):
    """`?household=12`: an object's id (a whole number from 1); an id nobody has simply finds nothing."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("An id."))
        # The wording of api.common.query_int, as the other parts.
        message = _("Enter a whole number (an id).")
        super().__init__(required=False, min_value=1, error_messages={"invalid": message, "min_value": message},
                         **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "09:00"})
class HourMinuteField(serializers.TimeField):
    """A time of day as the pages show it, `HH:MM` (OpenAPI's `time` format would need seconds and an offset)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class HouseholdRefSerializer(serializers.Serializer):
    """A household (KPM) by its id and ID KPM."""

    id = serializers.IntegerField(read_only=True)
    id_kpm = serializers.CharField(read_only=True)
