"""Forms of the registry pages. Choice fields are filled from org.access, never from `.objects`."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.components import ALL_COMPONENTS
from beneficiaries.models import Component, Household, Member
from beneficiaries.validation import member_problems
from core.widgets import FastSelect
from org import access


def _helper(submit_label=None, form_tag=True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    if submit_label:
        helper.add_input(Submit("submit", submit_label, css_class="btn-primary w-100 w-sm-auto"))
    return helper


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CaseloadFilterForm(forms.Form):
    """Filters of the caseload list (the free-text search travels separately, never in the URL)."""

    SORT_CHOICES = [
        ("name", _("Name A–Z")), ("-name", _("Name Z–A")), ("id_kpm", _("ID KPM")), ("-id_kpm", _("ID KPM, descending")),
        ("kelurahan", _("Kelurahan")), ("status", _("Status")), ("-updated", _("Recently changed")),
    ]

    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    status = forms.ChoiceField(label=_("Status"), required=False, widget=FastSelect,
                               choices=[("", _("All statuses"))] + list(Household.Status.choices))
    component = forms.ChoiceField(label=_("Component today"), required=False, widget=FastSelect,
                                  choices=[("", _("Any component"))] + [(c, Component(c).label) for c in ALL_COMPONENTS])
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)
    kks_outside = forms.BooleanField(label=_("KKS held outside the family"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES, widget=FastSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + [
            (code, name) for code, name in access.visible_kelurahan(user).order_by("name").values_list("code", "name")
        ]
        if access.can_view_city(user):
            # The default sort for a whole city is by ID KPM (see views._filters_from): list it first.
            self.fields["sort"].choices = sorted(self.SORT_CHOICES, key=lambda choice: choice[0] != "id_kpm")
            self.fields["facilitator"].choices = [("", _("All facilitators")), ("none", _("Not assigned"))] + [
                (str(f.pk), f.get_full_name() or f.username) for f in access.visible_facilitators(user).order_by("first_name", "username")
            ]
        else:
            del self.fields["facilitator"]


class HouseholdForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Household
        fields = ["address", "no_kk", "bank", "kks_number", "decile", "home_latitude", "home_longitude"]
        help_texts = {
            "home_latitude": _("Decimal degrees, e.g. -6.225014 (leave empty if unknown)."),
            "home_longitude": _("Decimal degrees, e.g. 106.900447."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version
        self.helper = _helper(_("Save"))

    def clean(self):
        data = super().clean()
        if (data.get("home_latitude") is None) != (data.get("home_longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        if data.get("bank") and data.get("bank") != "POS" and not data.get("kks_number"):
            self.add_error("kks_number", _("Give the KKS number (only PT Pos recipients may have none)."))
        return data


class MemberForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Member
        fields = [
            "name", "nik", "sex", "birth_date", "relationship", "school", "severe_disability", "pregnant",
            "expected_delivery_date", "pregnancy_order", "exit_reason", "exit_date",
        ]
        widgets = {"birth_date": DateInput(), "expected_delivery_date": DateInput(), "exit_date": DateInput()}

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = household.version
        self.fields["nik"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": 16})
        self.helper = _helper(_("Save member"))

    def clean(self):
        data = super().clean()
        probe = Member(**{f: data.get(f) for f in self.Meta.fields if f in data})
        probe.exit_reason = probe.exit_reason or ""
        for field, message in member_problems(probe).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return data


class KKSCustodyForm(forms.Form):
    holder = forms.ChoiceField(label=_("Who holds the card now?"), choices=Household.KKSHolder.choices)
    holder_name = forms.CharField(label=_("Holder's name"), required=False, max_length=150,
                                  help_text=_("Required when the card is not with the family."))
    since = forms.DateField(label=_("Since"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record"))

    def clean(self):
        data = super().clean()
        if data.get("holder") and data["holder"] not in Household.FAMILY_HOLDERS and not data.get("holder_name", "").strip():
            self.add_error("holder_name", _("Name the person who holds the card."))
        if data.get("since") and data["since"] > timezone.localdate():
            self.add_error("since", _("The date cannot be in the future."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Household.Status.choices)
    effective_date = forms.DateField(label=_("Effective date"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=255, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Change status"))


class AssignForm(forms.Form):
    """Assign or transfer households (one or many) to a facilitator of the coordinator's city."""

    households = forms.MultipleChoiceField(label=_("Households"), widget=forms.MultipleHiddenInput,
                                           error_messages={"required": _("Select at least one household.")})
    facilitator = forms.ChoiceField(label=_("Move to facilitator"), widget=FastSelect)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, user, household_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["households"].choices = [(str(pk), str(pk)) for pk in household_choices]
        self.fields["facilitator"].choices = [("", _("— choose —")), ("none", _("Nobody (unassign)"))] + [
            (str(f.pk), f.get_full_name() or f.username)
            for f in access.visible_facilitators(user).order_by("first_name", "username")
        ]
        self.helper = _helper(form_tag=False)


class HouseholdImportForm(forms.Form):
    file = forms.FileField(label=_("Registry file (CSV or XLSX)"),
                           help_text=_("One row per member; see the column list below."))
    skip_invalid = forms.BooleanField(
        label=_("Import the households without errors and report the rest"), required=False,
        help_text=_("Without this, a file with any error imports nothing."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Check and import"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(size)s MB.") % {"size": settings.IMPORT_MAX_UPLOAD_BYTES // 2**20})
        return upload
