"""API: households (KPM) with their members and today's components, and the edit of the household page with a
version check (ETag / If-Match) so that two offline edits cannot silently overwrite each other.

Identity numbers (NIK, No. KK, KKS number) are masked as on the household page: the page shows them in full
only on request, with an audited VIEW_IDENTITY event, which the API does not offer.
"""

import copy
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from api.common import (
    ID_PARAMETER,
    KELURAHAN_PARAMETER,
    ScopedAPIView,
    date_parameter,
    errors,
    etag,
    if_match_version,
    query_choice,
    query_date_range,
    query_kelurahan,
)
from beneficiaries import selectors, services
from beneficiaries.forms import HouseholdForm
from beneficiaries.models import Bank, Component, Household, Member
from beneficiaries.rules import RuleBook
from core.templatetags.pkh import mask_id
from org import access

# --- representations --------------------------------------------------------------------------


class HouseholdSerializer(serializers.Serializer):
    """A household as a list shows it (the caller sets `components_today` and `pengurus_name`)."""

    id = serializers.IntegerField()
    id_kpm = serializers.CharField()
    kelurahan = serializers.CharField(source="kelurahan_id", help_text="Kelurahan code, e.g. 31.75.01.1001.")
    kelurahan_name = serializers.CharField(source="kelurahan.name")
    status = serializers.ChoiceField(choices=Household.Status.choices)
    status_since = serializers.DateField()
    facilitator = serializers.IntegerField(source="facilitator_id", allow_null=True)
    facilitator_name = serializers.SerializerMethodField()
    pengurus_name = serializers.CharField(allow_null=True, help_text="The family recipient (pengurus).")
    components_today = serializers.ListField(child=serializers.CharField(),
                                             help_text="Codes of the components counted today (HAMIL, "
                                                       "ANAK_USIA_DINI, SD, SMP, SMA, DISABILITAS_BERAT, LANSIA).")
    version = serializers.IntegerField(help_text="Send it back as If-Match when changing the household.")
    updated_at = serializers.DateTimeField()

    def get_facilitator_name(self, household) -> str | None:
        user = household.facilitator
        return (user.get_full_name() or user.username) if user else None


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nik = serializers.SerializerMethodField(help_text="Masked, as on the household page.")
    name = serializers.CharField()
    sex = serializers.ChoiceField(choices=Member.Sex.choices)
    birth_date = serializers.DateField()
    relationship = serializers.ChoiceField(choices=Member.Relationship.choices)
    is_pengurus = serializers.BooleanField()
    pregnant = serializers.BooleanField()
    expected_delivery_date = serializers.DateField(allow_null=True)
    pregnancy_order = serializers.IntegerField(allow_null=True)
    school = serializers.ChoiceField(choices=Member.School.choices, allow_blank=True)
    severe_disability = serializers.BooleanField()
    exit_reason = serializers.ChoiceField(choices=Member.Exit.choices, allow_blank=True)
    exit_date = serializers.DateField(allow_null=True)

    def get_nik(self, member) -> str:
        return mask_id(member.nik)


class CountedComponentSerializer(serializers.Serializer):
    component = serializers.ChoiceField(source="code", choices=Component.choices)
    member = serializers.IntegerField(source="member_id")
    amount = serializers.IntegerField(help_text="Rupiah per year.")


class ComponentsSerializer(serializers.Serializer):
    on = serializers.DateField()
    rules_year = serializers.IntegerField(source="rules.year", help_text="The benefit year whose rules were used.")
    rules_missing = serializers.BooleanField(source="rules.missing",
                                             help_text="No benefit year entered: components known, amounts 0.")
    counted = CountedComponentSerializer(many=True)
    dropped_by_cap = CountedComponentSerializer(many=True)
    out_of_school = serializers.SerializerMethodField(help_text="Members aged 7–18 not in school.")
    family_amount = serializers.IntegerField(source="rules.family_amount")
    annual_entitlement = serializers.IntegerField(help_text="Rupiah per year.")

    def get_out_of_school(self, result) -> list[int]:
        return [member.id for member in result.out_of_school]


class StageSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    number = serializers.IntegerField()
    first_month = serializers.IntegerField()
    last_month = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="The stage's entitlement in rupiah.")
    counted = CountedComponentSerializer(many=True, help_text="Counted on the stage's first day.")


class HouseholdDetailSerializer(HouseholdSerializer):
    no_kk = serializers.SerializerMethodField(help_text="Masked.")
    address = serializers.CharField()
    home_latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)
    home_longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)
    bank = serializers.ChoiceField(choices=Bank.choices, allow_blank=True)
    kks_number = serializers.SerializerMethodField(help_text="Masked; empty when none.")
    kks_holder = serializers.ChoiceField(choices=Household.KKSHolder.choices)
    joined_year = serializers.IntegerField()
    decile = serializers.IntegerField(allow_null=True)
    members = MemberSerializer(many=True, source="member_list")
    components = ComponentsSerializer(source="components_result")
    stage = StageSerializer(source="stage_today")
    editable = serializers.BooleanField(help_text="Whether you may change it now (a family that left the "
                                                  "program is read-only).")

    def get_no_kk(self, household) -> str:
        return mask_id(household.no_kk)

    def get_kks_number(self, household) -> str:
        return mask_id(household.kks_number)


class HouseholdChangeSerializer(serializers.Serializer):
    """The fields of the household edit page; send only those you change."""

    address = serializers.CharField(max_length=255, allow_blank=True, required=False)
    no_kk = serializers.CharField(max_length=16, required=False, help_text="16 digits.")
    bank = serializers.ChoiceField(choices=Bank.choices, allow_blank=True, required=False)
    kks_number = serializers.CharField(max_length=16, allow_blank=True, required=False,
                                       help_text="16 digits; only PT Pos recipients may have none.")
    decile = serializers.IntegerField(min_value=1, max_value=10, allow_null=True, required=False)
    home_latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90,
                                             coerce_to_string=False, allow_null=True, required=False)
    home_longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180,
                                              coerce_to_string=False, allow_null=True, required=False,
                                              help_text="Give both latitude and longitude, or neither.")


CONFLICT = inline_serializer("HouseholdConflict", fields={
    "detail": serializers.CharField(),
    "version": serializers.IntegerField(help_text="The current version (its ETag is in the ETag header)."),
    "current": HouseholdDetailSerializer(),
})
ETAG_HEADER = OpenApiParameter("ETag", str, OpenApiParameter.HEADER, response=[200, 409],
                               description='The household\'s version, e.g. `"7"`: send it back as If-Match.')


# --- reads ------------------------------------------------------------------------------------

def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _detail(user, household: Household, *, rulebook: RuleBook | None = None) -> Household:
    """The household with its members, today's components and this stage's entitlement attached."""
    today = timezone.localdate()
    rulebook = rulebook or RuleBook()
    members = list(household.members.order_by("birth_date", "id"))
    household.member_list = members
    household.components_result = rulebook.components(members, today)
    household.components_today = household.components_result.codes
    household.pengurus_name = next((m.name for m in members if m.is_pengurus), None)
    stage = rulebook.stage_on(today)
    amount, stage_result = rulebook.stage_entitlement(members, stage)
    household.stage_today = {"year": stage.year, "number": stage.number, "first_month": stage.first_month,
                             "last_month": stage.last_month, "amount": amount, "counted": stage_result.counted}
    household.editable = access.can_write(user) and household.status not in services.LEFT_PROGRAM
    return household


def _represent(request, household: Household) -> dict:
    return HouseholdDetailSerializer(_detail(request.user, household)).data


HOUSEHOLD_FILTERS = [
    KELURAHAN_PARAMETER,
    OpenApiParameter("status", str, enum=Household.Status.values, description="Program status."),
    OpenApiParameter("facilitator", str, pattern=r"^(\d+|none)$",
                     description="A facilitator's user id, or `none` for families without a facilitator."),
    date_parameter("updated_from", "Changed on or after this day (Asia/Jakarta)."),
    date_parameter("updated_to", "Changed on or before this day (Asia/Jakarta)."),
    OpenApiParameter("q", str, description="Part of an ID KPM."),
]


class HouseholdList(ScopedAPIView):
    """The households you see (a facilitator: their caseload; a coordinator or auditor: their cities), by ID KPM,
    with today's components."""

    serializer_class = HouseholdSerializer

    def get_queryset(self):
        return access.visible_households(self.request.user)

    @extend_schema(parameters=HOUSEHOLD_FILTERS, responses={200: HouseholdSerializer(many=True), **errors(400, 401, 403, 404)})
    def get(self, request):
        facilitator = request.query_params.get("facilitator", "").strip()
        if facilitator and facilitator != "none" and not (facilitator.isdigit() and len(facilitator) < 19):
            raise exceptions.ValidationError({"facilitator": [_("Enter a facilitator's id, or none.")]})
        updated_from, updated_to = query_date_range(request, "updated_from", "updated_to")
        today = timezone.localdate()
        rulebook = RuleBook()
        filters = selectors.CaseloadFilters(
            kelurahan=query_kelurahan(request), status=query_choice(request, "status", Household.Status.values),
            facilitator=facilitator, sort="id_kpm")
        households = selectors.caseload(request.user, filters, on=today, rulebook=rulebook)
        if updated_from:
            households = households.filter(updated_at__gte=_start_of(updated_from))
        if updated_to:
            households = households.filter(updated_at__lt=_start_of(updated_to + timedelta(days=1)))
        text = request.query_params.get("q", "").strip()
        if text:
            households = households.filter(id_kpm__icontains=text[:40])
        page = self.paginate_queryset(households)
        rows = selectors.caseload_rows(page, on=today, rulebook=rulebook)
        for row in rows:
            row.household.components_today = row.components
        return self.get_paginated_response(self.get_serializer([row.household for row in rows], many=True).data)


class HouseholdDetail(ScopedAPIView):
    """One household with its members (NIK masked), today's components and entitlement; PATCH changes the
    fields of the household edit page under a version check."""

    serializer_class = HouseholdDetailSerializer

    def get_queryset(self):
        return access.visible_households(self.request.user).select_related("kelurahan", "facilitator")

    @extend_schema(parameters=[ID_PARAMETER, ETAG_HEADER], responses={200: HouseholdDetailSerializer, **errors(401, 403, 404)})
    def get(self, request, pk):
        household = self.get_object()
        return Response(_represent(request, household), headers={"ETag": etag(household.version)})

    @extend_schema(
        request=HouseholdChangeSerializer,
        parameters=[
            ID_PARAMETER,
            OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True,
                             description='The ETag of the version you changed, e.g. `"7"`.'),
            ETAG_HEADER,
        ],
        responses={
            200: HouseholdDetailSerializer,
            **errors(400, 401, 403, 404),
            409: OpenApiResponse(CONFLICT, description="Someone changed the household since the version you sent: "
                                                       "nothing was saved; here is the current one."),
            428: OpenApiResponse(OpenApiTypes.OBJECT, description="No If-Match header."),
        },
    )
    def patch(self, request, pk):
        household = self.get_object(for_write=True)
        expected = if_match_version(request)
        if expected != household.version:
            return self._conflict(request, household)
        change = HouseholdChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        data = change.validated_data
        # The edit page's form holds the rules across fields (both coordinates or neither; a KKS number unless
        # PT Pos): it checks the household as it would be after the change, with the page's messages.
        form = HouseholdForm(
            data={**{name: getattr(household, name) for name in HouseholdForm.Meta.fields}, **data,
                  "expected_version": expected},
            instance=copy.copy(household))
        if not form.is_valid():
            raise exceptions.ValidationError(
                {("non_field_errors" if field == "__all__" else field): messages
                 for field, messages in form.errors.items()})
        try:
            household = services.household_update(actor=request.user, household=household,
                                                  data={name: form.cleaned_data[name] for name in data},
                                                  expected_version=expected)
        except services.StaleVersion:
            # Changed between our check and the service's lock: the service refused it, nothing was saved.
            return self._conflict(request, self.get_object())
        household = self.get_object()
        return Response(_represent(request, household), headers={"ETag": etag(household.version)})

    def _conflict(self, request, household):
        message = _("This household was changed by someone else since you read it (now version %(version)s): "
                    "nothing was saved. Read it again and make your change again.") % {"version": household.version}
        return Response({"detail": message, "version": household.version, "current": _represent(request, household)},
                        status=status.HTTP_409_CONFLICT, headers={"ETag": etag(household.version)})
