"""Forms of the monthly report pages: building a report on demand, choosing a city in the list, and
narrowing a report's flagged families (monitoring.views.reports)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.widgets import FastSelect
from monitoring import report_selectors as selectors
from monitoring import reports
from monitoring.models import FlagCode
from monitoring.report_tables import facilitator_name


class MonthInput(forms.TextInput):
    """`<input type="month">`: a month picker on phones, YYYY-MM typed elsewhere."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}", **(attrs or {})})


class ReportBuildForm(forms.Form):
    city = forms.ChoiceField(label=_("City"), widget=FastSelect)
    month = forms.CharField(label=_("Month"), widget=MonthInput(),
                            help_text=_("A month that has ended. Building it again makes a new version."))

    def __init__(self, *args, cities, today, **kwargs):
        """`cities`: (code, name) of the cities the user manages; `today`: the date in Asia/Jakarta."""
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["city"].choices = [(code, f"{name} ({code})") for code, name in cities]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_month(self) -> reports.Month:
        try:
            month = reports.Month.parse(self.cleaned_data["month"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["month"]) from None
        if month.last >= self.today:
            raise ValidationError(_("The month has not ended yet: choose an earlier month."))
        return month


class ReportListForm(forms.Form):
    kota = forms.ChoiceField(label=_("City"), required=False, widget=FastSelect)

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kota"].choices = [("", _("All my cities"))] + [(code, name) for code, name in cities]

    def city(self) -> str:
        return self.cleaned_data.get("kota", "") if self.is_valid() else ""


class FlagFilterForm(forms.Form):
    """The flagged families of one report, narrowed by flag, kelurahan or facilitator (choices from the report)."""

    code = forms.ChoiceField(label=_("Flag"), required=False, widget=FastSelect)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)

    def __init__(self, *args, view: selectors.ReportView, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", _("All flags"))] + [(code, f"{label} ({code})")
                                                                for code, label in FlagCode.choices]
        if view.own:
            del self.fields["kelurahan"], self.fields["facilitator"]
            return
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + [
            (row["code"], row["name"] or row["code"]) for row in view.by_kelurahan]
        self.fields["facilitator"].choices = [("", _("All facilitators"))] + [
            ("none" if row["id"] is None else str(row["id"]), facilitator_name(row)) for row in view.by_facilitator]

    def filters(self) -> selectors.FlagFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return selectors.FlagFilters(code=data.get("code", ""), kelurahan=data.get("kelurahan", ""),
                                   facilitator=data.get("facilitator", ""))
