"""Forms of the P2K2 pages. Choices come from org.access and p2k2.selectors, never from `.objects`."""

from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.forms import DateInput
from core.widgets import FastSelect
from org import access
from p2k2 import selectors
from p2k2.models import Attendance, Group, Meeting


def _helper(submit_label=None, form_tag=True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    if submit_label:
        helper.add_input(Submit("submit", submit_label, css_class="btn-primary w-100 w-sm-auto"))
    return helper


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _person(user) -> str:
    return user.get_full_name() or user.username


def _not_in_future(form, field):
    value = form.cleaned_data.get(field)
    if value and value > timezone.localdate():
        form.add_error(field, _("The date cannot be in the future."))


# --- groups -------------------------------------------------------------------------------------

class GroupFilterForm(forms.Form):
    STATUS_CHOICES = [("active", _("Active groups")), ("closed", _("Closed groups")), ("all", _("All groups"))]

    q = forms.CharField(label=_("Group name"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + list(
            access.visible_kelurahan(user).filter(p2k2_groups__isnull=False).distinct().order_by("name")
            .values_list("code", "name"))
        if access.can_view_city(user):
            self.fields["facilitator"].choices = [("", _("All facilitators"))] + [
                (str(f.pk), _person(f)) for f in access.visible_facilitators(user).order_by("first_name", "username")]
        else:
            del self.fields["facilitator"]


class GroupForm(forms.Form):
    """Create or edit a group. A facilitator's groups are their own; a coordinator picks the facilitator."""

    name = forms.CharField(label=_("Group name"), max_length=120,
                           help_text=_("For example the RW and a number: “RW 05 – Melati 1”."))
    facilitator = forms.ChoiceField(label=_("Facilitator"), widget=FastSelect)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), widget=FastSelect)
    formed_on = forms.DateField(label=_("Formed on"), widget=DateInput(), initial=timezone.localdate)
    usual_place = forms.CharField(label=_("Usual meeting place"), max_length=200, required=False,
                                  help_text=_("Suggested for every new meeting, e.g. “Posyandu Melati, RT 03”."))
    leader = forms.ChoiceField(label=_("Group leader (ketua kelompok)"), required=False, widget=FastSelect,
                               help_text=_("The pengurus of one of the group's families."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, group: Group | None = None, members=(), **kwargs):
        if group is not None:
            kwargs.setdefault("initial", {
                "name": group.name, "facilitator": str(group.facilitator_id), "kelurahan": group.kelurahan_id,
                "formed_on": group.formed_on, "usual_place": group.usual_place, "notes": group.notes,
                "leader": str(group.leader_id or ""),
            })
        super().__init__(*args, **kwargs)
        self.user = user
        self.facilitators = {str(f.pk): f for f in access.visible_facilitators(user).order_by("first_name", "username")}
        if access.can_manage_caseloads(user):
            self.fields["facilitator"].choices = [("", _("— choose —"))] + [(pk, _person(f)) for pk, f in self.facilitators.items()]
        else:
            del self.fields["facilitator"]
        self.villages = {code: name for code, name in access.visible_kelurahan(user).order_by("name").values_list("code", "name")}
        self.fields["kelurahan"].choices = [("", _("— choose —"))] + list(self.villages.items())
        if group is None:
            del self.fields["leader"]
        else:
            self.fields["leader"].choices = [("", _("No leader yet"))] + [
                (str(row.household.pk), f"{row.name or '—'} ({row.household.id_kpm})") for row in members]
        self.helper = _helper(_("Save group") if group else _("Create group"))

    def clean_facilitator(self):
        value = self.cleaned_data.get("facilitator")
        return self.facilitators[value] if value in self.facilitators else None

    def clean_kelurahan(self):
        code = self.cleaned_data.get("kelurahan")
        return access.visible_kelurahan(self.user).get(code=code) if code in self.villages else None

    def clean_leader(self):
        value = self.cleaned_data.get("leader")
        if not value:
            return None
        household = access.visible_households(self.user).filter(pk=value).first()
        if household is None:
            raise forms.ValidationError(_("Choose one of the group's families in your caseload."))
        return household

    def clean(self):
        data = super().clean()
        _not_in_future(self, "formed_on")
        return data


class MembersAddForm(forms.Form):
    households = forms.MultipleChoiceField(label=_("Families"), widget=forms.CheckboxSelectMultiple, error_messages={
        "required": _("Select at least one family."),
        "invalid_choice": _("One of the selected families has just joined a group or left this caseload. "
                            "Check the list below and select again."),
    })
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        # Families already in another active group are listed (so the facilitator sees where they are) but not choosable.
        self.fields["households"].choices = [(str(c.household.pk), c.name) for c in candidates if c.other_group is None]

    def clean(self):
        data = super().clean()
        _not_in_future(self, "joined_on")
        return data


class MemberRemoveForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255,
                             help_text=_("For example: moved to another RW, graduated."))

    def clean(self):
        data = super().clean()
        _not_in_future(self, "left_on")
        return data


class GroupCloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def clean(self):
        data = super().clean()
        _not_in_future(self, "closed_on")
        return data


# --- meetings -----------------------------------------------------------------------------------

def _session_choices(sessions):
    """The catalogue as <optgroup>s per module (14-odd sessions: a plain select renders fast enough)."""
    groups, by_module = [("", _("— choose the session —"))], {}
    for session in sessions:
        by_module.setdefault(session.module, []).append((str(session.pk), str(session)))
    groups += [(str(module), options) for module, options in by_module.items()]
    return groups


class MeetingForm(forms.Form):
    module_session = forms.ChoiceField(label=_("Session (from the catalogue)"))
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    late_edit_reason = forms.CharField(
        label=_("Reason for the late change"), required=False, max_length=255,
        help_text=_("Needed for meetings more than %(days)s days ago (they are locked for facilitators)."),
    )

    def __init__(self, *args, meeting: Meeting | None = None, group: Group | None = None, lock_days: int = 7,
                 allow_late: bool = False, suggested_session=None, **kwargs):
        if meeting is not None:
            kwargs.setdefault("initial", {
                "module_session": str(meeting.module_session_id), "date": meeting.date,
                "start_time": meeting.start_time, "place": meeting.place, "notes": meeting.notes,
            })
        elif group is not None:
            kwargs.setdefault("initial", {
                "place": group.usual_place, "date": timezone.localdate() + timedelta(days=7),
                "module_session": str(suggested_session.pk) if suggested_session else "",
            })
        super().__init__(*args, **kwargs)
        self.sessions = {str(s.pk): s for s in selectors.catalogue(
            include_ids=[meeting.module_session_id] if meeting else [])}
        self.fields["module_session"].choices = _session_choices(self.sessions.values())
        self.fields["date"].help_text = _("Meetings more than %(days)s days ago can only be entered by the coordinator.") \
            % {"days": lock_days}
        if allow_late:
            self.fields["late_edit_reason"].help_text = self.fields["late_edit_reason"].help_text % {"days": lock_days}
        else:
            del self.fields["late_edit_reason"]
        self.helper = _helper(_("Save meeting") if meeting else _("Schedule meeting"))

    def clean_module_session(self):
        return self.sessions[self.cleaned_data["module_session"]]


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=255)


class AttendanceForm(forms.Form):
    """One row per family: present / absent / excused (default present) and the reason of an excused absence."""

    notes = forms.CharField(label=_("Notes on the meeting"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    late_edit_reason = forms.CharField(label=_("Reason for the late change"), required=False, max_length=255)

    def __init__(self, *args, roster, meeting: Meeting, allow_late: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = roster
        self.fields["notes"].initial = meeting.notes
        if not allow_late:
            del self.fields["late_edit_reason"]
        for row in roster:
            pk = row.household.pk
            self.fields[f"status_{pk}"] = forms.ChoiceField(
                label=row.name or row.household.id_kpm, choices=Attendance.Status.choices, initial=row.status,
                widget=forms.RadioSelect)
            self.fields[f"reason_{pk}"] = forms.CharField(
                label=_("Reason (excused)"), required=False, max_length=255, initial=row.reason)

    def clean(self):
        data = super().clean()
        for row in self.roster:
            pk = row.household.pk
            if data.get(f"status_{pk}") == Attendance.Status.EXCUSED and not data.get(f"reason_{pk}", "").strip():
                self.add_error(f"reason_{pk}", _("Give the reason for the excused absence of %(name)s.")
                               % {"name": row.name or row.household.id_kpm})
        return data

    def rows(self):
        """(roster row, status field, reason field) for the template."""
        return [(row, self[f"status_{row.household.pk}"], self[f"reason_{row.household.pk}"]) for row in self.roster]

    def entries(self) -> dict:
        return {row.household.pk: (self.cleaned_data[f"status_{row.household.pk}"],
                                   self.cleaned_data.get(f"reason_{row.household.pk}", ""))
                for row in self.roster}


class MeetingFilterForm(forms.Form):
    SHOW_CHOICES = [
        ("upcoming", _("Upcoming")), ("unrecorded", _("Past, attendance not recorded")), ("held", _("Held")),
        ("cancelled", _("Cancelled")), ("all", _("All")),
    ]

    show = forms.ChoiceField(label=_("Show"), required=False, choices=SHOW_CHOICES)
    group = forms.ChoiceField(label=_("Group"), required=False, widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All groups"))] + [
            (str(pk), name) for pk, name in selectors.visible_groups(user).filter(closed_on__isnull=True)
            .order_by("name").values_list("pk", "name")]
        if access.can_view_city(user):
            self.fields["facilitator"].choices = [("", _("All facilitators"))] + [
                (str(f.pk), _person(f)) for f in access.visible_facilitators(user).order_by("first_name", "username")]
        else:
            del self.fields["facilitator"]


class AttendanceFilterForm(forms.Form):
    group = forms.ChoiceField(label=_("Group"), required=False, widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All groups"))] + [
            (str(pk), name) for pk, name in selectors.visible_groups(user).order_by("name").values_list("pk", "name")]
        if access.can_view_city(user):
            self.fields["facilitator"].choices = [("", _("All facilitators"))] + [
                (str(f.pk), _person(f)) for f in access.visible_facilitators(user).order_by("first_name", "username")]
        else:
            del self.fields["facilitator"]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end of the period is before its start."))
        return data
