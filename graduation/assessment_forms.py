"""Forms of the assessment pages and the candidate lists. Choices come from org.access and the selectors."""

from crispy_forms.helper import FormHelper
from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from beneficiaries.forms import DateInput
from core.widgets import FastSelect
from graduation import assessments
from graduation.candidates import ALL, ACTIONABLE
from graduation.models import Assessment, Classification
from livelihood.forms import RupiahField
from org import access

MODEL_FIELDS = [name for name in assessments.INPUT_FIELDS if name != "visit"]
TEXT_ROWS = {"skills": 2, "resources": 2, "support_network": 2, "goals": 2, "notes": 3}
HELP = {
    "household_size": _("Everyone who lives and eats here now, members on the family card or not."),
    "income_work": _("Per month, all members together."),
    "income_business": _("Per month, after the business's own costs."),
    "income_transfers": _("Per month: money from relatives, remittances, regular help."),
    "income_other": _("Per month: pensions, rent, other aid. Do not count PKH."),
    "business_months": _("Leave empty when the family runs no business."),
    "business_net_income": _("Revenue minus costs; negative when it loses money."),
    "savings_amount": _("Cash, bank, cooperative or arisan savings the family can use."),
    "monthly_spending": _("Everything the household spends in a normal month (to compare savings with)."),
    "debt_monthly_payment": _("Instalments paid per month."),
    "school_age_children": _("Living in the household; prefilled from the registry."),
    "children_in_school": _("Enrolled and attending (any SD/SMP/SMA level or Paket A/B/C)."),
    "goals": _("In the family's own words: what it wants to reach in the next year or two."),
}


class AssessmentForm(forms.Form):
    """A new assessment. `visits` are the household's recent home visits (one of the same day may be
    linked); `asks_business` is False when a running business is recorded (its figures come from there)."""

    visit = forms.ChoiceField(label=_("During the visit"), required=False, widget=FastSelect)

    def __init__(self, *args, visits=(), asks_business=True, **kwargs):
        super().__init__(*args, **kwargs)
        widgets = {name: forms.Textarea(attrs={"rows": rows}) for name, rows in TEXT_ROWS.items()}
        widgets.update({name: FastSelect for name in (*assessments.HOUSING_FIELDS, "work_stability", "jkn", "debt_source")})
        widgets["assessed_on"] = DateInput(attrs={"max": timezone.localdate().isoformat()})
        model_fields = fields_for_model(Assessment, fields=MODEL_FIELDS, widgets=widgets)
        visit_field = self.fields.pop("visit")
        self.fields.clear()
        for name in assessments.INPUT_FIELDS:
            self.fields[name] = visit_field if name == "visit" else model_fields[name]
        for name in assessments.MONEY_FIELDS:
            model_field = self.fields[name]
            self.fields[name] = RupiahField(label=model_field.label, required=False)
        self.fields["business_net_income"] = SignedRupiahField(label=self.fields["business_net_income"].label,
                                                               required=False)
        self.fields["business_months"].label = _("Months the business has been running")
        self.fields["business_net_income"].label = _("Its average net income per month")
        for name, text in HELP.items():
            self.fields[name].help_text = text
        for name in ("household_size", "school_age_children", "children_in_school", "business_months"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "min": 0})
        self.fields["household_size"].widget.attrs["min"] = 1
        self.fields["debt_source"].choices = list(Assessment.DebtSource.choices)
        self.fields["visit"].choices = [("", _("Not during a visit"))] + [
            (str(visit.pk), _("%(day)s %(time)s — %(purpose)s (%(by)s)") % {
                "day": date_format(assessments.visit_day(visit), "DATE_FORMAT"),
                "time": timezone.localtime(visit.visited_at).strftime("%H:%M"),
                "purpose": visit.get_purpose_display(),
                "by": visit.facilitator.get_full_name() or visit.facilitator.username})
            for visit in visits]
        self.visits = {str(visit.pk): visit for visit in visits}
        if not asks_business:
            del self.fields["business_months"]
            del self.fields["business_net_income"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The assessment date cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        children, in_school = data.get("school_age_children"), data.get("children_in_school")
        if children is not None and in_school is not None and in_school > children:
            self.add_error("children_in_school", _("Cannot be more than the %(count)d children aged 7–18.")
                           % {"count": children})
        return data

    def chosen_visit(self):
        return self.visits.get(self.cleaned_data.get("visit") or "")


class SignedRupiahField(RupiahField):
    """Whole rupiah that may be negative (a business that loses money): `-250.000`."""

    def to_python(self, value):
        text = str(value if value is not None else "").replace(" ", "")
        negative = text.startswith(("-", "−"))
        amount = super().to_python(text[1:] if negative else text)
        return -amount if negative and amount is not None else amount

    def prepare_value(self, value):
        if isinstance(value, int) and value < 0:
            return "-" + super().prepare_value(-value)
        return super().prepare_value(value)


class CandidateFilterForm(forms.Form):
    classification = forms.ChoiceField(label=_("Classification"), required=False, widget=FastSelect)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)
    not_acted = forms.BooleanField(label=_("Only families without a proposal"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classification"].choices = (
            [("", _("To act on (due, soon, candidates)"))]
            + [(code, label) for code, label in Classification.choices if code in ACTIONABLE]
            + [(Classification.BELUM, Classification.BELUM.label), (ALL, _("All classifications"))])
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + list(
            access.visible_kelurahan(user).order_by("name").values_list("code", "name"))
        if access.can_view_city(user):
            self.fields["facilitator"].choices = [("", _("All facilitators")), ("none", _("Not assigned"))] + [
                (str(f.pk), f.get_full_name() or f.username)
                for f in access.visible_facilitators(user).order_by("first_name", "username")]
        else:
            del self.fields["facilitator"]
