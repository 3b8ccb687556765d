"""Mediation case endpoints: the list, a case with its timeline and referrals, opening a case, changing its
status and adding a note. Reads come from mediation.selectors (org.access); writes go through
mediation.services, the services of the case pages, with their messages.

Child-protection details (title, description, member, outcome, notes, referral partners) are given only
where org.access.can_see_case_details allows it: on the case itself, to the family's facilitator and the
city's coordinator and auditor; never in the list, never to administrators."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.common import ID_PARAMETER, errors
from api.params import (
    WRITE_PARSERS,
    DateRangeQuery,
    HouseholdRefSerializer,
    IdQueryField,
    KelurahanQueryField,
    PersonSerializer,
    SignedInWithRole,
    date_range,
    query_params,
)
from mediation import selectors, services
from mediation.models import Case, CaseEvent, Category, KKSReason, Referral
from org import access

# --- serializers ----------------------------------------------------------------------------------


class CaseSerializer(serializers.Serializer):
    """A case in a list: the title of a child-protection case is replaced by "Child protection case"."""

    id = serializers.IntegerField(read_only=True)
    household = HouseholdRefSerializer(read_only=True)
    kelurahan = serializers.CharField(source="household.kelurahan_id", read_only=True)
    facilitator = PersonSerializer(source="household.facilitator", read_only=True, allow_null=True)
    category = serializers.ChoiceField(choices=Category.choices, read_only=True)
    kks_reason = serializers.CharField(read_only=True)
    title = serializers.CharField(source="display_title", read_only=True)
    details_hidden = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=Case.Status.choices, read_only=True)
    due_date = serializers.DateField(read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    source = serializers.CharField(read_only=True)
    opened_at = serializers.DateTimeField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_details_hidden(self, case) -> bool:
        return not case.show_details


class MemberRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class CaseEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=CaseEvent.Kind.choices, read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True, allow_null=True)
    old_due_date = serializers.DateField(read_only=True, allow_null=True)
    new_due_date = serializers.DateField(read_only=True, allow_null=True)
    referral = serializers.IntegerField(source="referral_id", read_only=True, allow_null=True)
    referral_status = serializers.CharField(read_only=True)
    actor = PersonSerializer(read_only=True, allow_null=True)
    at = serializers.DateTimeField(read_only=True)


class ReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Referral.Kind.choices, read_only=True)
    partner_name = serializers.CharField(read_only=True, allow_null=True)
    referred_on = serializers.DateField(read_only=True)
    note = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=Referral.Status.choices, read_only=True)
    outcome_note = serializers.CharField(read_only=True, allow_null=True)
    outcome_on = serializers.DateField(read_only=True, allow_null=True)
    created_by = PersonSerializer(read_only=True, allow_null=True)


class CaseDetailSerializer(CaseSerializer):
    """A case with its timeline and referrals. When `details_hidden`, the detail fields are null."""

    kks_reason = serializers.CharField(read_only=True, allow_null=True)
    description = serializers.CharField(read_only=True, allow_null=True)
    member = MemberRefSerializer(read_only=True, allow_null=True)
    outcome = serializers.CharField(read_only=True, allow_null=True)
    opened_by = PersonSerializer(read_only=True, allow_null=True)
    transitions = serializers.SerializerMethodField(help_text=_("The statuses you may move the case to now."))
    events = serializers.SerializerMethodField()
    referrals = serializers.SerializerMethodField()

    DETAILS = ("description", "member", "outcome", "kks_reason")

    def get_transitions(self, case) -> list[str]:
        user = self.context["request"].user
        return services.transitions_for(case, actor=user) if access.can_write(user) and case.show_details else []

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_events(self, case):
        rows = CaseEventSerializer(case.events.all(), many=True).data
        if not case.show_details:
            for row in rows:
                row["note"] = None
        return rows

    @extend_schema_field(ReferralSerializer(many=True))
    def get_referrals(self, case):
        rows = ReferralSerializer(case.referrals.all(), many=True).data
        if not case.show_details:
            for row in rows:
                row.update(partner_name=None, note=None, outcome_note=None)
        return rows

    def to_representation(self, case):
        data = super().to_representation(case)
        if not case.show_details:
            data.update(dict.fromkeys(self.DETAILS))
        return data


class CaseQuery(DateRangeQuery):
    STATUS_CHOICES = [("open", _("Open cases")), ("all", _("All cases")), *Case.Status.choices]

    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False, default="open",
                                     help_text=_("Open cases (open, in progress, referred) unless said otherwise."))
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False)
    kelurahan = KelurahanQueryField()
    facilitator = serializers.RegexField(r"^(none|\d+)$", required=False,
                                         help_text=_("A facilitator's id, or none for families without one."))
    household = IdQueryField(help_text=_("A household's id."))


class CaseOpenSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    category = serializers.ChoiceField(choices=Category.choices, error_messages={
        "invalid_choice": _("Choose a category."), "required": _("Choose a category.")})
    title = serializers.CharField(allow_blank=True, required=False, default="", trim_whitespace=False)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    member = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      help_text=_("The member concerned, or null."))
    due_date = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text=_("Empty: the usual time for the category."))
    kks_reason = serializers.ChoiceField(choices=KKSReason.choices, required=False, allow_blank=True, default="",
                                         error_messages={"invalid_choice": _("Unknown KKS problem.")})
    submission_key = serializers.CharField(required=False, allow_blank=True, default="", max_length=32, help_text=_(
        "Any key of yours: sending the same request again with the same key returns the case already opened."))


class TransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Case.Status.choices, error_messages={
        "invalid_choice": _("Choose the new status."), "required": _("Choose the new status.")})
    outcome = serializers.CharField(allow_blank=True, required=False, default="",
                                    help_text=_("Needed to resolve or close the case."))
    note = serializers.CharField(allow_blank=True, required=False, default="",
                                 help_text=_("When reopening, the reason is needed."))
    expected_status = serializers.ChoiceField(choices=Case.Status.choices, required=False, allow_blank=True, default="",
                                              help_text=_("The status you saw: refuses the change if it moved since."))


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="")


# --- views ----------------------------------------------------------------------------------------


def _case_for_write(user, pk) -> Case:
    """The case if the user sees it (else 404); 403 unless they may change it and read its details."""
    cases = selectors.visible_cases(user).select_related("household")
    case = access.get_scoped_or_404(user, cases, pk, for_write=True)
    if not access.can_see_case_details(user, case):
        raise PermissionDenied
    return case


def _detail(request, case: Case, *, status_code=status.HTTP_200_OK) -> Response:
    case = selectors.case_detail(request.user, case)
    return Response(CaseDetailSerializer(case, context={"request": request}).data, status=status_code)


@extend_schema(tags=["Cases"])
class CaseList(generics.ListCreateAPIView):
    """GET: the cases of your area, due first (open cases unless `status` says otherwise); `from`/`to` filter
    on the day the case was opened. A child-protection case shows as "Child protection case", without details.

    POST: open a case for a family (the service of the family page's "open a case", with its messages)."""

    serializer_class = CaseSerializer
    parser_classes = WRITE_PARSERS

    def get_queryset(self):
        params = query_params(self.request, CaseQuery)
        filters = selectors.CaseFilters(
            status="" if params["status"] == "open" else params["status"], category=params.get("category", ""),
            overdue=params["overdue"], kelurahan=params.get("kelurahan", ""),
            facilitator=params.get("facilitator", "") if access.can_view_city(self.request.user) else "",
            household=params.get("household"))
        cases = selectors.case_list(self.request.user, filters, today=timezone.localdate())
        return date_range(cases, params, "opened_at__date")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = selectors.case_rows(request.user, page)
        return self.get_paginated_response(CaseSerializer(rows, many=True).data)

    @extend_schema(parameters=[CaseQuery], summary="Mediation cases",
                   responses={200: CaseSerializer(many=True), **errors(400, 401, 403, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request={"application/json": CaseOpenSerializer},
                   responses={201: CaseDetailSerializer, **errors(400, 401, 403)}, summary="Open a case")
    def post(self, request, *args, **kwargs):
        data = CaseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        household = access.visible_households(request.user).filter(pk=values["household"]).first()
        if household is None:
            raise serializers.ValidationError({"household": [gettext("This family is not in your area.")]})
        member = None
        if values["member"] is not None:
            member = household.members.filter(pk=values["member"]).first()
            if member is None:
                raise serializers.ValidationError(
                    {"member": [gettext("Choose a current member of this family, or nobody.")]})
        key = values["submission_key"].strip()
        case = services.case_open(
            actor=request.user, household=household, category=values["category"], title=values["title"],
            description=values["description"], member=member, due_date=values["due_date"],
            source="manual", source_ref=key, kks_reason=values["kks_reason"])
        return _detail(request, case, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=["Cases"], parameters=[ID_PARAMETER], summary="A mediation case with its timeline and referrals",
               responses={200: CaseDetailSerializer, **errors(401, 403, 404)})
class CaseDetail(generics.RetrieveAPIView):
    serializer_class = CaseDetailSerializer

    def get_object(self):
        case = access.get_scoped_or_404(self.request.user, selectors.visible_cases(self.request.user),
                                        self.kwargs["pk"])
        return selectors.case_detail(self.request.user, case)


@extend_schema(tags=["Cases"], parameters=[ID_PARAMETER], request={"application/json": TransitionSerializer},
               responses={200: CaseDetailSerializer, **errors(400, 401, 403, 404)}, summary="Change a case's status")
class CaseTransition(APIView):
    """Move a case along the workflow (open → in progress → resolved or closed; reopening is the
    coordinator's, with the reason in `note`). Referring goes through a referral on the case page."""

    permission_classes = [SignedInWithRole]
    parser_classes = WRITE_PARSERS

    def post(self, request, pk):
        case = _case_for_write(request.user, pk)
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = services.case_transition(actor=request.user, case=case, to_status=values["to_status"],
                                        note=values["note"], outcome=values["outcome"],
                                        expected_status=values["expected_status"] or None)
        return _detail(request, case)


@extend_schema(tags=["Cases"], parameters=[ID_PARAMETER], request={"application/json": NoteSerializer},
               responses={201: CaseDetailSerializer, **errors(400, 401, 403, 404)},
               summary="Add a note to a case's timeline")
class CaseNote(APIView):
    """A dated note on the case's timeline: what was done, who was met, what was agreed."""

    permission_classes = [SignedInWithRole]
    parser_classes = WRITE_PARSERS

    def post(self, request, pk):
        case = _case_for_write(request.user, pk)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_add_note(actor=request.user, case=case, note=data.validated_data["note"])
        return _detail(request, case, status_code=status.HTTP_201_CREATED)
