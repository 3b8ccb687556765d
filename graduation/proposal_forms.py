"""Forms of the proposal → approval workflow and the follow-up list. Choice fields come from org.access and
graduation.proposals; the rules themselves are checked again by the services."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from beneficiaries.forms import DateInput
from core.widgets import FastSelect
from graduation import followups
from graduation.models import Proposal
from org import access

STATEMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Proposal.Kind.choices, widget=forms.RadioSelect)
    effective_date = forms.DateField(
        label=_("Effective date"), widget=DateInput(),
        help_text=_("The day the family leaves PKH (today or earlier)."))
    assessment = forms.ChoiceField(
        label=_("Socio-economic assessment"), required=False, widget=FastSelect,
        help_text=_("Required for an independent-prosperous graduation; the latest one is chosen."))
    notes = forms.CharField(
        label=_("Evidence and notes"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What changed in the family and how you know it: documents seen, visits, what the family said."))
    justification = forms.CharField(
        label=_("Why this type, when the classifier says otherwise"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when a natural or independent-prosperous graduation differs from the classifier's "
                    "result; the coordinator reads it first."))

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessments = {str(a.pk): a for a in assessments}
        self.fields["assessment"].choices = [("", _("— none —"))] + [
            (str(a.pk), _("No. %(number)s of %(date)s") % {"number": a.number,
                                                         "date": date_format(a.assessed_on, "DATE_FORMAT")})
            for a in assessments
        ]
        if assessments:
            self.fields["assessment"].initial = str(assessments[0].pk)
        self.fields["effective_date"].initial = timezone.localdate()
        self.helper = _helper()

    def clean_effective_date(self):
        day = self.cleaned_data["effective_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        data["assessment"] = self.assessments.get(data.get("assessment") or "")
        if data.get("kind") == Proposal.Kind.MANDIRI and data["assessment"] is None and "assessment" not in self.errors:
            self.add_error("assessment", _("An independent-prosperous graduation needs a socio-economic assessment."))
        return data


class DecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))])
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required to reject (the facilitator reads it); optional when approving."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for rejecting the proposal."))
        return data


class StatementUploadForm(forms.Form):
    statement_file = forms.FileField(
        label=_("Signed statement (scan or photo)"),
        widget=forms.ClearableFileInput(attrs={"accept": STATEMENT_ACCEPT}),
        help_text=_("PDF, JPG or PNG, at most 5 MB. All pages and the signatures must be readable."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ConfirmationForm(forms.Form):
    confirmation_note = forms.CharField(
        label=_("How the family confirmed"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who signed or said it, when and where, who witnessed it, and where the signed paper is kept."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


def _kelurahan_choices(user, empty_label):
    return [("", empty_label)] + list(access.visible_kelurahan(user).order_by("name").values_list("code", "name"))


def _facilitator_choices(user):
    return [("", _("All facilitators"))] + [
        (str(f.pk), f.get_full_name() or f.username)
        for f in access.visible_facilitators(user).order_by("first_name", "username")
    ]


class ProposalFilterForm(forms.Form):
    ALL = "all"

    status = forms.ChoiceField(label=_("Status"), required=False, widget=FastSelect,
                               choices=[(ALL, _("All statuses"))] + list(Proposal.Status.choices))
    kind = forms.ChoiceField(label=_("Type"), required=False, widget=FastSelect,
                             choices=[("", _("All types"))] + list(Proposal.Kind.choices))
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)
    kota = forms.ChoiceField(label=_("City"), required=False, widget=FastSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = _kelurahan_choices(user, _("All kelurahan"))
        if access.can_view_city(user):
            self.fields["facilitator"].choices = _facilitator_choices(user)
            cities = list(access.visible_cities(user).order_by("code").values_list("code", "name"))
            if len(cities) > 1:
                self.fields["kota"].choices = [("", _("All cities"))] + cities
            else:
                del self.fields["kota"]
        else:
            del self.fields["facilitator"]
            del self.fields["kota"]
        self.helper = _helper()

    def status_value(self) -> str:
        """The status filter: waiting proposals unless another status (or all) is chosen."""
        if not self.is_bound or "status" not in self.data:
            return Proposal.Status.PENDING
        value = self.data.get("status") or ""
        return value if value in Proposal.Status.values else ""


class FollowUpFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Follow-up"), required=False, widget=FastSelect, choices=[
        (followups.ACTION, _("Due or overdue")),
        (followups.UPCOMING, _("Upcoming")),
        (followups.DONE, _("Both done")),
        (followups.MISSED, _("Missed")),
        ("all", _("All graduated families")),
    ])
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = _kelurahan_choices(user, _("All kelurahan"))
        if access.can_view_city(user):
            self.fields["facilitator"].choices = _facilitator_choices(user)
        else:
            del self.fields["facilitator"]
        self.helper = _helper()

    def state_value(self) -> str:
        value = (self.cleaned_data.get("state") if self.is_valid() else "") or followups.ACTION
        return "" if value == "all" else value
