"""Forms of the case pages. Choices come from org.access or from objects the view already scoped."""

import json
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.forms import DateInput
from core.widgets import FastSelect
from mediation.models import Case, Category, CategoryRule, KKSReason, Referral
from org import access


def _member_choices(members) -> list:
    return [("", _("— nobody in particular —"))] + [(str(m.pk), m.name) for m in members if not m.exit_reason]


class CaseFilterForm(forms.Form):
    STATUS_CHOICES = [("", _("Open cases")), ("all", _("All cases"))] + list(Case.Status.choices)

    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES, widget=FastSelect)
    category = forms.ChoiceField(label=_("Category"), required=False, widget=FastSelect,
                                 choices=[("", _("All categories"))] + list(Category.choices))
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    household = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + list(
            access.visible_kelurahan(user).order_by("name").values_list("code", "name"))
        if access.can_view_city(user):
            self.fields["facilitator"].choices = [("", _("All facilitators")), ("none", _("Not assigned"))] + [
                (str(f.pk), f.get_full_name() or f.username)
                for f in access.visible_facilitators(user).order_by("first_name", "username")
            ]
        else:
            del self.fields["facilitator"]


class CaseOpenForm(forms.Form):
    """Open a case from the family's page. static/js/mediation.js fills the due date from the category."""

    category = forms.ChoiceField(label=_("Category"), choices=[("", _("— choose —"))] + list(Category.choices))
    kks_reason = forms.ChoiceField(label=_("What is wrong with the KKS card?"), required=False,
                                   choices=[("", _("— choose —"))] + list(KKSReason.choices),
                                   help_text=_("Only for KKS card problems."))
    member = forms.ChoiceField(label=_("Member concerned"), required=False, widget=FastSelect)
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("One line the family and you will recognise, e.g. “Balance zero in stage 2”."))
    description = forms.CharField(label=_("What happened?"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput(),
                               help_text=_("Leave empty to use the usual time for the category."))
    # One key per opened form: the same form sent twice (a double tap, a retry on a weak signal) opens one case.
    submission_key = forms.CharField(max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.fields["member"].choices = _member_choices(household.members.all())
        days = dict(CategoryRule.objects.values_list("category", "default_due_days"))
        self.due_days = {code: days.get(code, CategoryRule._meta.get_field("default_due_days").default)
                         for code in Category.values}
        self.due_rows = [(Category(code).label, days) for code, days in self.due_days.items()]
        today = timezone.localdate()
        self.fields["category"].widget.attrs.update({
            "data-due-days": json.dumps(self.due_days), "data-due-target": "id_due_date",
            "data-kks-target": "div_id_kks_reason", "data-today": today.isoformat(),
        })
        self.fields["submission_key"].initial = uuid.uuid4().hex

    def clean_due_date(self):
        due_date = self.cleaned_data.get("due_date")
        if due_date and due_date < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be before today."))
        return due_date

    def clean(self):
        data = super().clean()
        if data.get("kks_reason") and data.get("category") and data["category"] != Category.KKS:
            self.add_error("kks_reason", _("The KKS problem only applies to cases of the category “KKS card problem”."))
        return data

    def member_object(self):
        pk = self.cleaned_data.get("member")
        return next((m for m in self.household.members.all() if str(m.pk) == pk), None) if pk else None


class CaseEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What happened?"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    member = forms.ChoiceField(label=_("Member concerned"), required=False, widget=FastSelect)
    kks_reason = forms.ChoiceField(label=_("What is wrong with the KKS card?"), choices=KKSReason.choices)

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("initial", {"title": case.title, "description": case.description,
                                      "member": str(case.member_id or ""), "kks_reason": case.kks_reason})
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["member"].choices = _member_choices(case.household.members.all())
        if case.category != Category.KKS:
            del self.fields["kks_reason"]

    def member_object(self):
        pk = self.cleaned_data.get("member")
        return next((m for m in self.case.household.members.all() if str(m.pk) == pk), None) if pk else None


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Needed to resolve or close the case: what was done and how it ended."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("When reopening, the reason is needed."))
    expected_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, case, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s, Case.Status(s).label) for s in targets]
        self.fields["expected_status"].initial = case.status


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("What was done, who was met, what was agreed."))


class DueDateForm(forms.Form):
    due_date = forms.DateField(label=_("New due date"), widget=DateInput())
    note = forms.CharField(label=_("Why?"), required=False, max_length=255)

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("initial", {"due_date": case.due_date})
        super().__init__(*args, **kwargs)


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label=_("Referred to"), choices=[("", _("— choose —"))] + list(Referral.Kind.choices))
    partner_name = forms.CharField(label=_("Partner's name"), max_length=200,
                                   help_text=_("e.g. BRI Unit Jatinegara, SDN Pisangan Baru 01, Puskesmas Matraman."))
    referred_on = forms.DateField(label=_("Referred on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Referral note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReferralOutcomeForm(forms.Form):
    status = forms.ChoiceField(label=_("Partner's answer"), widget=forms.RadioSelect, choices=[
        (s, label) for s, label in Referral.Status.choices if s != Referral.Status.PENDING])
    on = forms.DateField(label=_("Answered on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Answer note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Needed when the partner declined."))

    def __init__(self, *args, referral, **kwargs):
        kwargs.setdefault("auto_id", f"id_referral{referral.pk}_%s")
        super().__init__(*args, **kwargs)
        if referral.status != Referral.Status.PENDING:
            self.fields["status"].choices = [c for c in self.fields["status"].choices if c[0] != referral.status]
