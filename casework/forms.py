"""The visit form: quick to fill on a phone; the geotag fields are filled by static/js/visit.js."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.forms import DateInput
from beneficiaries.models import Household
from casework.models import HomeVisit
from core.widgets import FastSelect


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class VisitForm(forms.Form):
    household = forms.ChoiceField(label=_("Family"), widget=FastSelect(attrs={"data-filterable": "true"}))
    visited_at = forms.DateTimeField(label=_("When did the visit happen?"), widget=DateTimeInput(),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    purpose = forms.ChoiceField(label=_("Purpose"), choices=HomeVisit.Purpose.choices, widget=forms.RadioSelect)
    met = forms.ChoiceField(label=_("Who did you meet?"), choices=HomeVisit.Met.choices, widget=forms.RadioSelect,
                            initial=HomeVisit.Met.PENGURUS)
    met_name = forms.CharField(label=_("Name of the person met"), max_length=150, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("Outcome"), max_length=255, required=False)
    next_follow_up = forms.DateField(label=_("Next follow-up"), required=False, widget=DateInput())
    backdate_reason = forms.CharField(label=_("Why is it entered only now?"), max_length=255, required=False)
    set_home_position = forms.BooleanField(
        label=_("I am at the family's home: save this position as their home"), required=False,
    )
    # Filled by the browser's Geolocation API (static/js/visit.js); a failed fix never blocks saving.
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    accuracy_m = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    geo_status = forms.ChoiceField(choices=HomeVisit.Geo.choices, required=False, widget=forms.HiddenInput)
    geo_error = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)
    submission_key = forms.CharField(max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args, households, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.households = {str(h.pk): h for h in households}
        self.rules = rules
        backdate_days = rules.backdate_reason_days
        self.fields["household"].choices = [("", _("— choose a family —"))] + [
            (str(h.pk), f"{h.pengurus_name or '?'} · {h.id_kpm}") for h in households
        ]
        self.fields["visited_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["backdate_reason"].help_text = _("Needed when the visit was more than %(days)s days ago.") % {
            "days": backdate_days}
        if len(households) == 1 and households[0].status == Household.Status.GRADUATED:
            # A graduated family is visited only to follow up on how it does after leaving PKH.
            self.fields["purpose"].choices = [(HomeVisit.Purpose.POST_GRADUATION, HomeVisit.Purpose.POST_GRADUATION.label)]
            self.fields["purpose"].initial = HomeVisit.Purpose.POST_GRADUATION
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        from casework.services import visit_problems

        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            data["latitude"] = data["longitude"] = None
        household = self.households.get(data.get("household", ""))
        if household is not None:
            for field, message in visit_problems(household, data, now=timezone.now(), rules=self.rules).items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)
        return data


class VisitFilterForm(forms.Form):
    FLAGS = [
        ("", _("All visits")), ("any", _("Any warning")), ("far", _("Far from home")),
        ("no_geotag", _("Without geotag")), ("late", _("Entered late")),
    ]
    flag = forms.ChoiceField(label=_("Warnings"), choices=FLAGS, required=False, widget=FastSelect)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)

    def __init__(self, *args, user, **kwargs):
        from org import access

        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + list(
            access.visible_kelurahan(user).order_by("name").values_list("code", "name"))
        if access.can_view_city(user):
            self.fields["facilitator"].choices = [("", _("All facilitators"))] + [
                (str(f.pk), f.get_full_name() or f.username)
                for f in access.visible_facilitators(user).order_by("first_name", "username")
            ]
        else:
            del self.fields["facilitator"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
