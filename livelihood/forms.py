"""Forms of the livelihood pages. Choice fields are filled from org.access and livelihood.selectors."""

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from beneficiaries.forms import DateInput
from core.parsing import parse_amount
from core.templatetags.pkh import rupiah
from core.widgets import FastSelect
from livelihood import selectors
from livelihood.models import Business, CreditProgram, CreditReferral
from org import access

# How far back the month picker of a business reaches: figures older than five years matter neither for
# monitoring nor for graduation.
MONTH_CHOICES_BACK = 60


def _not_in_future(day: date | None) -> date | None:
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return day


def _helper(submit_label=None, form_tag=True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    if submit_label:
        helper.add_input(Submit("submit", submit_label, css_class="btn-primary w-100 w-sm-auto"))
    return helper


class RupiahField(forms.Field):
    """Whole rupiah, typed as `1500000`, `1.500.000` or `Rp1.500.000`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "inputmode": "numeric", "autocomplete": "off", "maxlength": 20, "data-rupiah": ""}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = str(value if value is not None else "").replace(" ", "")
        if not text:
            return None
        if text[:2].lower() == "rp":
            text = text[2:]
        try:
            return parse_amount(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value


def month_value(month: date) -> str:
    return f"{month:%Y-%m}"


class MonthField(forms.Field):
    """A calendar month chosen from a list (`YYYY-MM`), cleaned to its first day."""

    widget = FastSelect

    def __init__(self, *, choices=(), **kwargs):
        super().__init__(**kwargs)
        self.widget.choices = list(choices)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        try:
            year, month = (int(part) for part in str(value).split("-")[:2])
            return date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose a month from the list.")) from None

    def prepare_value(self, value):
        return month_value(value) if isinstance(value, date) else value


def month_choices(business: Business, *, today: date, recorded=()) -> list[tuple[str, str]]:
    """The months a business may have figures for, newest first; months already recorded say so."""
    recorded = set(recorded)
    last = selectors.month_start(min(today, business.stopped_on) if business.stopped_on else today)
    first = max(selectors.month_start(business.started_on), selectors.add_months(last, -(MONTH_CHOICES_BACK - 1)))
    choices = []
    month = last
    while month >= first:
        label = date_format(month, "F Y")
        if month in recorded:
            label = _("%(month)s — already recorded") % {"month": label}
        choices.append((month_value(month), label))
        month = selectors.add_months(month, -1)
    return choices


# --- businesses -------------------------------------------------------------------------------

class BusinessForm(forms.ModelForm):
    class Meta:
        model = Business
        fields = ["kind", "name", "description", "started_on", "stopped_on", "stop_reason"]
        widgets = {
            "kind": FastSelect,
            "description": forms.Textarea(attrs={"rows": 2}),
            "started_on": DateInput(),
            "stopped_on": DateInput(),
        }
        help_texts = {
            "name": _("What the family calls it, e.g. “Warung Bu Sari”."),
            "started_on": _("When it started selling. If unsure, the first day of the month."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("— choose —"))] + list(Business.Kind.choices)
        if self.instance.pk is None or self.instance.stopped_on is None:
            # A running business is stopped from its own page ("Stopped"); a stopped one can be corrected here.
            del self.fields["stopped_on"]
            del self.fields["stop_reason"]
        else:
            self.fields["stopped_on"].help_text = _("Empty it if the business is running again.")
        self.helper = _helper(_("Save business"))

    def clean_started_on(self):
        return _not_in_future(self.cleaned_data["started_on"])

    def clean_stopped_on(self):
        return _not_in_future(self.cleaned_data["stopped_on"])

    def clean(self):
        data = super().clean()
        started, stopped = data.get("started_on"), data.get("stopped_on")
        if started and stopped and stopped < started:
            self.add_error("stopped_on", _("The business cannot stop before it started."))
        return data


class BusinessStopForm(forms.Form):
    stopped_on = forms.DateField(label=_("Stopped on"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("Why did it stop?"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record that it stopped"))

    def clean_stopped_on(self):
        return _not_in_future(self.cleaned_data["stopped_on"])


class MonthlyEntryForm(forms.Form):
    month = MonthField(label=_("Month"))
    revenue = RupiahField(label=_("Revenue (money in)"), help_text=_("Whole rupiah, e.g. 1.500.000"))
    expenses = RupiahField(label=_("Expenses (money out)"), help_text=_("Stock, ingredients, rent, transport…"))
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, business: Business, today: date, recorded=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.choices = month_choices(business, today=today, recorded=recorded)
        self.helper = _helper(form_tag=False)


def default_entry_month(business: Business, *, today: date, recorded) -> date:
    """Last month if the business ran then and it is not recorded yet (what the day page chases), else this month
    (for a business that stopped earlier: its last month)."""
    this_month = selectors.month_start(today)
    last_month = selectors.add_months(this_month, -1)
    latest = selectors.month_start(min(today, business.stopped_on)) if business.stopped_on else this_month
    if latest < last_month:
        return latest
    if selectors.month_start(business.started_on) <= last_month and last_month not in set(recorded):
        return last_month
    return latest


# --- referrals --------------------------------------------------------------------------------

class ReferralForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=CreditProgram.objects.none(),
                                     empty_label=_("— choose a program —"))
    referred_on = forms.DateField(label=_("Referred on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, max_length=255,
                           help_text=_("E.g. what the family needs the capital for."))
    confirm_below_minimum = forms.BooleanField(
        label=_("Refer anyway: I know the business is younger than the program asks"), required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = CreditProgram.objects.filter(active=True).order_by("name")
        self.helper = _helper(form_tag=False)

    def clean_referred_on(self):
        return _not_in_future(self.cleaned_data["referred_on"])


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("What happened?"), widget=forms.RadioSelect)
    on = forms.DateField(label=_("On"), widget=DateInput(), initial=timezone.localdate)
    loan_amount = RupiahField(label=_("Loan approved (rupiah)"), required=False,
                              help_text=_("Only when the loan is approved."))
    reason = forms.CharField(label=_("Reason / note"), required=False, max_length=255,
                             help_text=_("Required when the referral is declined."))

    def __init__(self, *args, allowed_statuses, program: CreditProgram, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(status, CreditReferral.Status(status).label) for status in allowed_statuses]
        if program.max_loan_amount:
            self.fields["loan_amount"].help_text = _("Only when the loan is approved; at most %(maximum)s.") % {
                "maximum": rupiah(program.max_loan_amount)}
        self.helper = _helper(_("Save"))

    def clean(self):
        data = super().clean()
        if data.get("status") == CreditReferral.Status.APPROVED and not data.get("loan_amount") and "loan_amount" not in self.errors:
            self.add_error("loan_amount", _("Give the amount of the approved loan."))
        if data.get("status") == CreditReferral.Status.DECLINED and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reason the referral was declined."))
        return data


# --- KUBE ---------------------------------------------------------------------------------------

class KubeForm(forms.Form):
    name = forms.CharField(label=_("Name of the KUBE"), max_length=150)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), widget=FastSelect, required=False)
    chairperson = forms.ChoiceField(label=_("Chairperson (ketua)"), widget=FastSelect, required=False)
    formed_on = forms.DateField(label=_("Formed on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("What the group does, where it meets."))

    def __init__(self, *args, user, kube=None, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        villages = access.visible_kelurahan(user).order_by("name")
        self.fields["kelurahan"].choices = [("", _("— choose —"))] + [
            (code, f"{name} ({code})") for code, name in villages.values_list("code", "name")]
        if user.is_facilitator:
            del self.fields["facilitator"]
        else:
            self.fields["facilitator"].choices = [("", _("Not assigned"))] + [
                (str(f.pk), f.get_full_name() or f.username)
                for f in access.visible_facilitators(user).order_by("first_name", "username")]
        if kube is None:
            del self.fields["chairperson"]
        else:
            self.fields["chairperson"].choices = [("", _("No chairperson yet"))] + [
                (str(m.household_id), f"{m.pengurus_name or m.household.id_kpm} · {m.household.id_kpm}")
                for m in members if m.left_on is None]
        self.helper = _helper(_("Save KUBE"))

    def clean_kelurahan(self):
        code = self.cleaned_data["kelurahan"]
        village = access.visible_kelurahan(self.user).filter(code=code).first()
        if village is None:
            raise forms.ValidationError(_("Choose a kelurahan you work in."))
        return village

    def clean_facilitator(self):
        pk = self.cleaned_data.get("facilitator")
        if not pk:
            return None
        facilitator = access.visible_facilitators(self.user).filter(pk=pk).first()
        if facilitator is None:
            raise forms.ValidationError(_("Choose a facilitator of your city."))
        return facilitator

    def clean_formed_on(self):
        return _not_in_future(self.cleaned_data["formed_on"])


class KubeMemberForm(forms.Form):
    household = forms.ChoiceField(label=_("Family"), widget=FastSelect)
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput(), initial=timezone.localdate)
    make_chairperson = forms.BooleanField(label=_("This family chairs the KUBE (ketua)"), required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(h.pk): h for h in candidates}
        self.fields["household"].choices = [("", _("— choose a family —"))] + [
            (str(h.pk), f"{h.pengurus_name or _('(no pengurus)')} · {h.id_kpm}") for h in candidates]
        self.helper = _helper(_("Add member"))

    def clean_household(self):
        return self.candidates[self.cleaned_data["household"]]


class KubeLeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record that the family left"))


# --- filters ------------------------------------------------------------------------------------

class BusinessFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, widget=FastSelect, choices=[
        ("", _("Running and stopped")), ("running", _("Running")), ("stopped", _("Stopped"))])
    kind = forms.ChoiceField(label=_("Kind"), required=False, widget=FastSelect,
                             choices=[("", _("All kinds"))] + list(Business.Kind.choices))
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    owner = forms.ChoiceField(label=_("Run by"), required=False, widget=FastSelect, choices=[
        ("", _("Families and KUBE")), ("household", _("Families")), ("kube", _("KUBE"))])
    missing = forms.BooleanField(label=_("No figures for last month"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + list(
            access.visible_kelurahan(user).order_by("name").values_list("code", "name"))


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, widget=FastSelect,
                               choices=[("", _("All statuses"))] + list(CreditReferral.Status.choices))
    program = forms.ChoiceField(label=_("Program"), required=False, widget=FastSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("All programs"))] + [
            (str(pk), name) for pk, name in CreditProgram.objects.order_by("name").values_list("pk", "name")]


class KubeFilterForm(forms.Form):
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + list(
            access.visible_kelurahan(user).order_by("name").values_list("code", "name"))
