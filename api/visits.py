"""API: home visits (*kunjungan rumah*): the list with the visit page's filters, one visit, and logging a visit
exactly as the visit form does (casework.services.visit_log: the same checks, flags and messages)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.common import (
    FACILITATOR_PARAMETER,
    ID_PARAMETER,
    KELURAHAN_PARAMETER,
    ScopedAPIView,
    date_parameter,
    errors,
    query_choice,
    query_date_range,
    query_int,
    query_kelurahan,
)
from casework import selectors, services
from casework.models import HomeVisit
from org import access

FLAGS = ("any", "far", "no_geotag", "late")


class VisitSerializer(serializers.ModelSerializer):
    household_id_kpm = serializers.CharField(source="household.id_kpm", read_only=True)
    kelurahan = serializers.CharField(source="household.kelurahan_id", read_only=True)
    facilitator_name = serializers.SerializerMethodField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)

    class Meta:
        model = HomeVisit
        fields = [
            "id", "household", "household_id_kpm", "kelurahan", "facilitator", "facilitator_name", "visited_at",
            "received_at", "purpose", "met", "met_name", "notes", "outcome", "next_follow_up", "backdate_reason",
            "geo_status", "geo_error", "latitude", "longitude", "accuracy_m", "distance_m", "flag_far",
            "flag_no_geotag", "flag_late", "set_home_position",
        ]
        read_only_fields = fields

    def get_facilitator_name(self, visit) -> str:
        return visit.facilitator.get_full_name() or visit.facilitator.username


class VisitCreateSerializer(serializers.Serializer):
    """A visit as the visit form sends it. The geotag fields are optional: a visit without a position is saved
    and flagged "without geotag"."""

    household = serializers.PrimaryKeyRelatedField(queryset=access.visible_households(None),  # set per request
                                                   help_text="The household's id (one you may see).")
    visited_at = serializers.DateTimeField(help_text="When the visit happened (without an offset: Asia/Jakarta).")
    purpose = serializers.ChoiceField(choices=HomeVisit.Purpose.choices)
    met = serializers.ChoiceField(choices=HomeVisit.Met.choices)
    met_name = serializers.CharField(max_length=150, allow_blank=True, required=False, default="",
                                     help_text="Required when a neighbour or RT/RW official was met.")
    notes = serializers.CharField(allow_blank=True, required=False, default="", max_length=10000)
    outcome = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    next_follow_up = serializers.DateField(allow_null=True, required=False, default=None)
    backdate_reason = serializers.CharField(max_length=255, allow_blank=True, required=False, default="",
                                            help_text="Required for a visit more than 7 days ago (the threshold "
                                                      "is a setting).")
    set_home_position = serializers.BooleanField(required=False, default=False,
                                                 help_text="Save this position as the family's home position.")
    latitude = serializers.FloatField(min_value=-90, max_value=90, allow_null=True, required=False, default=None)
    longitude = serializers.FloatField(min_value=-180, max_value=180, allow_null=True, required=False, default=None)
    accuracy_m = serializers.FloatField(min_value=0, max_value=1e7, allow_null=True, required=False, default=None)
    geo_status = serializers.ChoiceField(choices=HomeVisit.Geo.choices, allow_blank=True, required=False, default="",
                                         help_text="Why there is no position (when there is none).")
    geo_error = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    submission_key = serializers.CharField(max_length=32, allow_blank=True, required=False, default="",
                                           help_text="A random key per visit: sending it again returns the same "
                                                     "visit (200) instead of a second one.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["household"].queryset = access.visible_households(request.user if request else None)

    def validate(self, data):
        # As the form: half a position is no position.
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            data["latitude"] = data["longitude"] = None
        return data


VISIT_FILTERS = [
    date_parameter("from", "Visited on or after this day (Asia/Jakarta)."),
    date_parameter("to", "Visited on or before this day (Asia/Jakarta)."),
    KELURAHAN_PARAMETER,
    OpenApiParameter("household", int, description="A household's id."),
    FACILITATOR_PARAMETER,
    OpenApiParameter("flag", str, enum=list(FLAGS),
                     description="Visits with a warning: `any`, `far` (from home), `no_geotag`, `late` (entered)."),
]


class VisitList(ScopedAPIView):
    """Visits in your scope, latest first; POST logs a visit like the visit form."""

    serializer_class = VisitSerializer

    def get_queryset(self):
        return selectors.visible_visits(self.request.user)

    @extend_schema(parameters=VISIT_FILTERS, responses={200: VisitSerializer(many=True), **errors(400, 401, 403, 404)})
    def get(self, request):
        date_from, date_to = query_date_range(request, "from", "to")
        facilitator = query_int(request, "facilitator")
        household = query_int(request, "household")
        visits = selectors.visit_list(
            request.user, facilitator=facilitator or "", flag=query_choice(request, "flag", FLAGS),
            date_from=date_from, date_to=date_to, kelurahan=query_kelurahan(request))
        if household is not None:
            visits = visits.filter(household_id=household)
        page = self.paginate_queryset(visits)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=VisitCreateSerializer,
        responses={
            201: VisitSerializer,
            200: OpenApiResponse(VisitSerializer, description="The visit already logged with this submission_key."),
            **errors(400, 401, 403),
        },
    )
    def post(self, request):
        access.require_write(request.user)
        incoming = VisitCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        household = data.pop("household")
        key = data.pop("submission_key")
        started = timezone.now()
        visit = services.visit_log(actor=request.user, household=household, data=data, submission_key=key)
        # The service returns the earlier visit for a key it has seen: received before this request.
        repeated = visit.received_at < started
        return Response(VisitSerializer(visit).data, status=status.HTTP_200_OK if repeated else status.HTTP_201_CREATED)


class VisitDetail(ScopedAPIView):
    serializer_class = VisitSerializer

    def get_queryset(self):
        return selectors.visible_visits(self.request.user).select_related("household", "facilitator")

    @extend_schema(parameters=[ID_PARAMETER], responses={200: VisitSerializer, **errors(401, 403, 404)})
    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)
