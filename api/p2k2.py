"""P2K2 endpoints: groups, meetings ("sessions") with their attendance, and recording the attendance of a
meeting. Reads come from p2k2.selectors (org.access.scoped_by_area); the attendance goes through
p2k2.services.attendance_record, the service of the meeting page, with its 7-day lock and its messages."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.common import ID_PARAMETER, errors
from api.params import (
    WRITE_PARSERS,
    DateRangeQuery,
    HourMinuteField,
    IdQueryField,
    KelurahanQueryField,
    PersonSerializer,
    RegionSerializer,
    SignedInWithRole,
    date_range,
    query_params,
)
from org import access
from p2k2 import selectors, services
from p2k2.models import Meeting

# --- serializers ----------------------------------------------------------------------------------


class GroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    facilitator = PersonSerializer(read_only=True)
    kelurahan = RegionSerializer(read_only=True)
    leader = serializers.IntegerField(source="leader_id", read_only=True, allow_null=True,
                                      help_text=_("The household of the group leader (ketua kelompok)."))
    leader_name = serializers.CharField(read_only=True, allow_null=True)
    usual_place = serializers.CharField(read_only=True)
    formed_on = serializers.DateField(read_only=True)
    closed_on = serializers.DateField(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)
    member_count = serializers.IntegerField(read_only=True, help_text=_("Families currently in the group."))
    next_meeting = serializers.DateField(read_only=True, allow_null=True)
    last_held = serializers.DateField(read_only=True, allow_null=True)


class GroupRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ModuleSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    module = serializers.IntegerField(source="module.number", read_only=True)


class MeetingSerializer(serializers.Serializer):
    """A meeting in a list. `locked`: more than the lock days in the past (only the coordinator changes it)."""

    id = serializers.IntegerField(read_only=True)
    group = GroupRefSerializer(read_only=True)
    facilitator = PersonSerializer(source="group.facilitator", read_only=True)
    kelurahan = RegionSerializer(source="group.kelurahan", read_only=True)
    module_session = ModuleSessionSerializer(read_only=True)
    date = serializers.DateField(read_only=True)
    start_time = HourMinuteField(read_only=True)
    place = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Meeting.Status.choices, read_only=True)
    cancel_reason = serializers.CharField(read_only=True)
    present_count = serializers.IntegerField(read_only=True)
    roster_count = serializers.IntegerField(read_only=True, help_text=_("Families whose attendance is recorded."))
    attendance_recorded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    locked = serializers.SerializerMethodField()

    def get_locked(self, meeting) -> bool:
        return selectors.is_locked(meeting, today=self.context["today"], settings=self.context["rules"])


class AttendanceRowSerializer(serializers.Serializer):
    """A family on the meeting's list: the group's members on its date, plus any already recorded."""

    household = serializers.IntegerField(source="household.pk", read_only=True)
    id_kpm = serializers.CharField(source="household.id_kpm", read_only=True)
    name = serializers.CharField(read_only=True, help_text=_("The pengurus' name."))
    visible = serializers.BooleanField(read_only=True,
                                       help_text=_("False when the family has moved to a caseload you cannot see."))
    recorded = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    def get_recorded(self, row) -> bool:
        return row.attendance is not None

    def get_status(self, row) -> str | None:
        return row.attendance.status if row.attendance else None

    def get_reason(self, row) -> str:
        return row.attendance.reason if row.attendance else ""


class MeetingDetailSerializer(MeetingSerializer):
    notes = serializers.CharField(read_only=True)
    attendance_recorded_by = PersonSerializer(read_only=True, allow_null=True)
    lock_days = serializers.SerializerMethodField()
    can_record = serializers.SerializerMethodField(
        help_text=_("Whether you may record (or correct) the attendance now."))
    needs_late_edit_reason = serializers.SerializerMethodField(
        help_text=_("The meeting is locked and you are the coordinator: give late_edit_reason."))
    attendance = serializers.SerializerMethodField()

    def _state(self, meeting):
        return selectors.meeting_edit_state(self.context["request"].user, meeting, today=self.context["today"],
                                            settings=self.context["rules"])

    def get_lock_days(self, meeting) -> int:
        return self.context["rules"].edit_lock_days

    def get_can_record(self, meeting) -> bool:
        return self._state(meeting).allowed and meeting.date <= self.context["today"]

    def get_needs_late_edit_reason(self, meeting) -> bool:
        return self._state(meeting).override

    @extend_schema_field(AttendanceRowSerializer(many=True))
    def get_attendance(self, meeting) -> list:
        roster = selectors.meeting_roster(self.context["request"].user, meeting)
        return AttendanceRowSerializer(roster, many=True).data


class AttendanceEntrySerializer(serializers.Serializer):
    household = serializers.IntegerField()
    # Checked by the service, with the page's message naming the family.
    status = serializers.CharField(help_text=_("present, absent or excused"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255,
                                   help_text=_("Required when excused."))


class AttendanceInputSerializer(serializers.Serializer):
    attendance = AttendanceEntrySerializer(many=True, help_text=_("Every family on the meeting's list, once."))
    notes = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None,
                                  help_text=_("Notes on the meeting; left unchanged when absent."))
    late_edit_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255,
                                             help_text=_("Coordinator only, for a locked meeting."))

    def validate_attendance(self, entries):
        households = [entry["household"] for entry in entries]
        if len(households) != len(set(households)):
            raise serializers.ValidationError(_("Each family may appear only once."))
        return entries


class GroupQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("active", _("Active")), ("closed", _("Closed")), ("all", _("All"))],
                                     required=False, default="active")
    kelurahan = KelurahanQueryField()
    facilitator = IdQueryField(help_text=_("A facilitator's user id."))
    q = serializers.CharField(required=False, help_text=_("Part of the group's name."))


class MeetingQuery(DateRangeQuery):
    STATUS_CHOICES = [*Meeting.Status.choices, ("unrecorded", _("Past, attendance not recorded"))]

    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)
    group = IdQueryField(help_text=_("A group's id."))
    kelurahan = KelurahanQueryField()
    facilitator = IdQueryField(help_text=_("A facilitator's user id."))


# --- views ----------------------------------------------------------------------------------------


def _context() -> dict:
    return {"today": timezone.localdate(), "rules": selectors.rules()}


def _meeting(user, pk):
    # meeting_list: the user's meetings with their attendance counts, as the list gives them.
    meetings = selectors.meeting_list(user, selectors.MeetingFilters(show="all"), today=timezone.localdate())
    meetings = meetings.select_related("group__facilitator", "group__kelurahan", "module_session__module",
                                       "attendance_recorded_by")
    return access.get_scoped_or_404(user, meetings, pk)


@extend_schema(tags=["P2K2"], parameters=[GroupQuery], summary="P2K2 groups",
               responses={200: GroupSerializer(many=True), **errors(400, 401, 403, 404)})
class GroupList(generics.ListAPIView):
    """The P2K2 groups of your area (a facilitator: their own), with their size and next and last meeting.
    Active groups unless `status` says otherwise."""

    serializer_class = GroupSerializer

    def get_queryset(self):
        params = query_params(self.request, GroupQuery)
        filters = selectors.GroupFilters(status=params["status"], facilitator=params.get("facilitator") or "",
                                         kelurahan=params.get("kelurahan", ""), q=params.get("q", ""))
        return selectors.group_list(self.request.user, filters, today=timezone.localdate())


@extend_schema(tags=["P2K2"], parameters=[MeetingQuery], summary="P2K2 meetings",
               responses={200: MeetingSerializer(many=True), **errors(400, 401, 403, 404)})
class MeetingList(generics.ListAPIView):
    """P2K2 meetings (sessions) of your area, newest first; `from`/`to` filter on the meeting date."""

    serializer_class = MeetingSerializer

    def get_queryset(self):
        params = query_params(self.request, MeetingQuery)
        status = params.get("status", "")
        show = status if status in {"held", "cancelled", "unrecorded"} else "all"
        filters = selectors.MeetingFilters(show=show, group=params.get("group") or "",
                                           facilitator=params.get("facilitator") or "")
        meetings = selectors.meeting_list(self.request.user, filters, today=timezone.localdate())
        if status == Meeting.Status.SCHEDULED:
            meetings = meetings.filter(status=status)
        if params.get("kelurahan"):
            meetings = meetings.filter(group__kelurahan_id=params["kelurahan"])
        meetings = date_range(meetings, params, "date")
        return meetings.select_related("module_session__module").order_by("-date", "-start_time", "-pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_context()}


@extend_schema(tags=["P2K2"], parameters=[ID_PARAMETER], summary="A P2K2 meeting with its attendance",
               responses={200: MeetingDetailSerializer, **errors(401, 403, 404)})
class MeetingDetail(generics.RetrieveAPIView):
    """A meeting with its attendance list (every family on it, recorded or not) and whether you may record it."""

    serializer_class = MeetingDetailSerializer

    def get_object(self):
        return _meeting(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_context()}


@extend_schema(tags=["P2K2"], parameters=[ID_PARAMETER], request={"application/json": AttendanceInputSerializer},
               responses={200: MeetingDetailSerializer, **errors(400, 401, 403, 404)},
               summary="Record a meeting's attendance")
class AttendanceRecord(APIView):
    """Record (or correct) the attendance of a meeting in one go; the meeting becomes held. The same rules and
    messages as the meeting page: every family on the list once; an excused absence needs its reason; a
    meeting more than the lock days ago only by the coordinator, with `late_edit_reason`. Errors about one
    family are keyed `status_<household id>` / `reason_<household id>`."""

    permission_classes = [SignedInWithRole]
    parser_classes = WRITE_PARSERS

    def post(self, request, pk):
        meetings = selectors.visible_meetings(request.user).select_related("group")
        meeting = access.get_scoped_or_404(request.user, meetings, pk, for_write=True)
        data = AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        entries = {row["household"]: (row["status"], row["reason"]) for row in values["attendance"]}
        services.attendance_record(actor=request.user, meeting=meeting, entries=entries, notes=values["notes"],
                                   late_edit_reason=values["late_edit_reason"])
        meeting = _meeting(request.user, pk)
        context = {"request": request, **_context()}
        return Response(MeetingDetailSerializer(meeting, context=context).data)

