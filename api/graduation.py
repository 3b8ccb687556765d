"""Graduation endpoints: proposals (graduations and other exits), proposing one, and the coordinator's
decision. Reads and writes go through graduation.proposals (scoped by org.access), the module of the
proposal pages, with the same rules (the classifier's result, the justification, the family's statement)
and messages."""

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
from graduation import proposals
from graduation.models import Classification, Proposal
from org import access

# --- serializers ----------------------------------------------------------------------------------


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    household = HouseholdRefSerializer(read_only=True)
    kelurahan = serializers.CharField(source="household.kelurahan_id", read_only=True)
    facilitator = PersonSerializer(source="household.facilitator", read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices, read_only=True)
    is_graduation = serializers.BooleanField(read_only=True)
    effective_date = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(choices=Proposal.Status.choices, read_only=True)
    classification = serializers.ChoiceField(choices=Classification.choices, read_only=True,
                                             help_text=_("The classifier's result on the effective date."))
    rules_version = serializers.IntegerField(read_only=True)
    disagrees = serializers.SerializerMethodField(
        help_text=_("The graduation type differs from the classifier's result (see justification)."))
    justification = serializers.CharField(read_only=True)
    confirmation = serializers.CharField(read_only=True, help_text=_("How the family's statement was given."))
    statement_ready = serializers.SerializerMethodField()
    proposed_by = PersonSerializer(read_only=True)
    proposed_at = serializers.DateTimeField(read_only=True)
    decided_by = PersonSerializer(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision_reason = serializers.CharField(read_only=True)
    waiting_days = serializers.SerializerMethodField(help_text=_("Days waiting for a decision (pending only)."))

    def get_disagrees(self, proposal) -> bool:
        return proposals.disagrees(proposal.kind, proposal.classification)

    def get_statement_ready(self, proposal) -> bool:
        return proposals.statement_ready(proposal)

    def get_waiting_days(self, proposal) -> int | None:
        if proposal.status != Proposal.Status.PENDING:
            return None
        return proposals.waiting_days(proposal, today=timezone.localdate())


class AssessmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True)
    assessed_on = serializers.DateField(read_only=True)


class HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField(read_only=True)
    who = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)


class ProposalDetailSerializer(ProposalSerializer):
    notes = serializers.CharField(read_only=True)
    assessment = AssessmentRefSerializer(read_only=True, allow_null=True)
    checks = serializers.JSONField(read_only=True, help_text=_("Each rule the classifier checked, with its data."))
    confirmation_note = serializers.CharField(read_only=True)
    has_statement_file = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    def get_has_statement_file(self, proposal) -> bool:
        return bool(proposal.statement_file)

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, proposal):
        return HistorySerializer(proposals.proposal_history(proposal), many=True).data


class ProposalQuery(DateRangeQuery):
    status = serializers.ChoiceField(choices=[*Proposal.Status.choices, ("all", _("All statuses"))], required=False,
                                     default=Proposal.Status.PENDING,
                                     help_text=_("Waiting for approval unless said otherwise."))
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices, required=False)
    kelurahan = KelurahanQueryField()
    facilitator = IdQueryField(help_text=_("A facilitator's user id."))
    kota = serializers.CharField(required=False, help_text=_("Regency/city code, e.g. 31.75."))


class ProposalCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices, error_messages={
        "invalid_choice": _("Choose the type of graduation or exit."),
        "required": _("Choose the type of graduation or exit.")})
    effective_date = serializers.DateField(required=False, allow_null=True, default=None,
                                           help_text=_("The day the family leaves PKH (today or earlier)."))
    assessment = serializers.IntegerField(required=False, allow_null=True, default=None, help_text=_(
        "One of the family's assessments; required for an independent-prosperous graduation."))
    notes = serializers.CharField(allow_blank=True, required=False, default="",
                                  help_text=_("Evidence: what changed in the family and how you know it."))
    justification = serializers.CharField(allow_blank=True, required=False, default="", help_text=_(
        "Needed when a graduation type differs from the classifier's result."))


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = serializers.CharField(allow_blank=True, required=False, default="",
                                   help_text=_("Required to reject; optional when approving."))


# --- views ----------------------------------------------------------------------------------------


def _detail(request, proposal: Proposal, *, status_code=status.HTTP_200_OK) -> Response:
    proposal = proposals.get_proposal_or_404(request.user, proposal.pk)
    return Response(ProposalDetailSerializer(proposal).data, status=status_code)


@extend_schema(tags=["Graduation"])
class ProposalList(generics.ListCreateAPIView):
    """GET: graduation and exit proposals of your area; those waiting for approval (the longest waiting first)
    unless `status` says otherwise; `from`/`to` filter on the day of the proposal.

    POST: propose a graduation or another exit for a family (the proposal page's service and messages)."""

    serializer_class = ProposalSerializer
    parser_classes = WRITE_PARSERS

    def get_queryset(self):
        params = query_params(self.request, ProposalQuery)
        filters = proposals.ProposalFilters(
            status="" if params["status"] == "all" else params["status"], kind=params.get("kind", ""),
            kelurahan=params.get("kelurahan", ""), facilitator=str(params.get("facilitator") or ""),
            city=params.get("kota", ""))
        return date_range(proposals.proposal_list(self.request.user, filters), params, "proposed_at__date")

    @extend_schema(parameters=[ProposalQuery], summary="Graduation and exit proposals",
                   responses={200: ProposalSerializer(many=True), **errors(400, 401, 403, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request={"application/json": ProposalCreateSerializer},
                   responses={201: ProposalDetailSerializer, **errors(400, 401, 403)},
                   summary="Propose a graduation or exit")
    def post(self, request, *args, **kwargs):
        data = ProposalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        household = access.visible_households(request.user).filter(pk=values["household"]).first()
        if household is None:
            raise serializers.ValidationError({"household": [gettext("This family is not in your area.")]})
        assessment = None
        if values["assessment"] is not None:
            assessment = next((a for a in proposals.household_assessments(request.user, household)
                               if a.pk == values["assessment"]), None)
            if assessment is None:
                raise serializers.ValidationError({"assessment": [gettext("Choose an assessment of this family.")]})
        proposal = proposals.proposal_create(
            actor=request.user, household=household, kind=values["kind"], effective_date=values["effective_date"],
            notes=values["notes"], assessment=assessment, justification=values["justification"])
        return _detail(request, proposal, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=["Graduation"], parameters=[ID_PARAMETER], summary="A graduation or exit proposal",
               responses={200: ProposalDetailSerializer, **errors(401, 403, 404)})
class ProposalDetail(generics.RetrieveAPIView):
    """A proposal with the classifier's checks, the family's statement and what happened to it."""

    serializer_class = ProposalDetailSerializer

    def get_object(self):
        return proposals.get_proposal_or_404(self.request.user, self.kwargs["pk"])


@extend_schema(tags=["Graduation"], parameters=[ID_PARAMETER], request={"application/json": DecisionSerializer},
               responses={200: ProposalDetailSerializer, **errors(400, 401, 403, 404)},
               summary="Approve or reject a proposal")
class ProposalDecision(APIView):
    """The coordinator's decision (coordinators and administrators; others 403). Approval sets the family's
    status (graduated, or exited for the other exits) on the effective date; it needs the family's statement
    for an independent-prosperous graduation. Rejecting needs the reason."""

    permission_classes = [SignedInWithRole]
    parser_classes = WRITE_PARSERS

    def post(self, request, pk):
        proposal = proposals.get_proposal_or_404(request.user, pk)
        access.require_caseload_management(request.user)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        proposal = proposals.proposal_decide(actor=request.user, proposal=proposal,
                                             approve=values["decision"] == "approve", reason=values["reason"])
        return _detail(request, proposal)
