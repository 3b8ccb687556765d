"""Forms of commitment verification. Choice fields come from org.access (via compliance.selectors);
every value is checked again by compliance.services, which has the last word."""

from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from beneficiaries.forms import DateInput
from compliance import selectors, services
from compliance import verification as v
from compliance.models import Commitment, CommitmentRecord, Facility
from compliance.periods import Period, choices as period_choices, month_name
from core.widgets import FastSelect
from org import access

YES_NO_UNKNOWN = [("", "—"), ("true", _("Yes")), ("false", _("No"))]


def _no_tag_helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class FastInput:
    """An <input> built in Python, like core.widgets.FastSelect: Django renders each widget through a
    template, which costs milliseconds per field on a bulk screen with hundreds of them."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs.update(type=self.input_type, name=name)
        value = self.format_value(value)
        if value not in (None, ""):
            final_attrs["value"] = value
        return format_html("<input{}>", flatatt(final_attrs))


class FastNumberInput(FastInput, forms.NumberInput):
    pass


class FastTextInput(FastInput, forms.TextInput):
    pass


class FastHiddenInput(FastInput, forms.HiddenInput):
    pass


class FastDateInput(FastInput, DateInput):
    pass


class FastCheckbox(forms.CheckboxInput):
    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs.update(type="checkbox", name=name, checked=bool(self.check_test(value)))
        return format_html("<input{}>", flatatt(final_attrs))


class YesNoSelect(FastSelect):
    """Yes / no / not known, rendered without Django's per-option templates (a bulk screen has hundreds)."""

    VALUES = {True: "true", False: "false", "true": "true", "false": "false", "True": "true", "False": "false"}

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=YES_NO_UNKNOWN)

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, self.VALUES.get(value, ""), attrs, renderer)


class YesNoField(forms.NullBooleanField):
    """Yes / no / not known (empty): a missing value means "not verified yet", never "no"."""

    widget = YesNoSelect


# --- choosing what to enter ---------------------------------------------------------------------

AUTOSUBMIT = {"data-autosubmit": "", "class": "form-select"}


class SheetChoiceForm(forms.Form):
    """The bulk screen's chooser: period, kelurahan, commitment, facility (GET)."""

    period = forms.ChoiceField(label=_("Period"), widget=FastSelect(attrs=AUTOSUBMIT))
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), widget=FastSelect(attrs=AUTOSUBMIT))
    commitment = forms.ChoiceField(label=_("Commitment"), choices=Commitment.choices,
                                   widget=FastSelect(attrs=AUTOSUBMIT))
    facility = forms.ChoiceField(label=_("Facility"), required=False, widget=FastSelect(attrs=AUTOSUBMIT))

    def __init__(self, data, *, user, today):
        data = data.copy()
        data.setdefault("period", Period.of(today).key)
        data.setdefault("commitment", v.EDUCATION)
        super().__init__(data)
        self.fields["period"].choices = period_choices(today)
        self.kelurahan = {k.code: k for k in access.visible_kelurahan(user).order_by("name")}
        if len(self.kelurahan) == 1:
            data.setdefault("kelurahan", next(iter(self.kelurahan)))  # a facilitator with one kelurahan starts there
        self.fields["kelurahan"].choices = [("", _("— choose a kelurahan —"))] + [
            (code, region.name) for code, region in self.kelurahan.items()
        ]
        commitment = data.get("commitment") if data.get("commitment") in v.COMMITMENTS else v.EDUCATION
        self.facilities = {
            str(f.pk): f for f in selectors.facility_choices(user, commitment, kelurahan=data.get("kelurahan", ""))
        }
        self.fields["facility"].choices = [("", _("All families of the kelurahan"))] + [
            (pk, f"{f.name} · {f.kelurahan.name}") for pk, f in self.facilities.items()
        ]

    def clean(self):
        data = super().clean()
        data["period"] = Period.parse(data.get("period"))
        data["kelurahan"] = self.kelurahan.get(data.get("kelurahan") or "")
        data["facility"] = self.facilities.get(data.get("facility") or "")
        return data


# --- one row of an entry screen -------------------------------------------------------------------

class RowForm(forms.Form):
    """The values of one member's commitment, prefilled from what is recorded.

    `link_to`: on a facility's screen, a member not linked to any facility gets a tick box to link
    them to it. `facilities`: on a household's page, every row gets a facility select instead.
    """

    def __init__(self, data=None, *, row, period: Period, today, link_to: Facility | None = None,
                 facilities=None, read_only=False):
        self.row, self.period, self.today = row, period, today
        record = row.record
        initial = {name: getattr(record, name) for name in CommitmentRecord.VALUE_FIELDS[row.due.commitment]} if record else {}
        super().__init__(data, prefix=row.key, initial=initial)
        # Only rows that were on the user's screen are saved: a row that appeared since (a member who
        # became a component, a record someone else entered) must not be emptied by this POST.
        self.fields["shown"] = forms.CharField(widget=FastHiddenInput, required=False, initial="1")
        commitment = row.due.commitment
        if commitment == v.EDUCATION:
            self.fields["attendance_percent"] = forms.DecimalField(
                label=_("Attendance (%)"), required=False, min_value=0, max_value=100, decimal_places=1, max_digits=4,
                widget=FastNumberInput(attrs={"step": "0.1", "inputmode": "decimal", "placeholder": "%"}),
            )
        elif commitment == v.ANTENATAL:
            self.fields["checkups_in_period"] = forms.IntegerField(
                label=_("Check-ups in this period"), required=False, min_value=0,
                widget=FastNumberInput(attrs={"inputmode": "numeric"}))
            self.fields["checkups_total"] = forms.IntegerField(
                label=_("Check-ups in the whole pregnancy so far"), required=False, min_value=0,
                widget=FastNumberInput(attrs={"inputmode": "numeric"}),
                help_text=_("From the KIA book (buku Kesehatan Ibu dan Anak). Needed when the pregnancy ended in this period."))
            self.fields["pregnancy_ended_on"] = forms.DateField(
                label=_("Delivery / end of pregnancy"), required=False, widget=FastDateInput(),
                help_text=_("Only if it ended in this period."))
        elif commitment == v.EARLY_CHILDHOOD:
            for position in row.due.months:
                month = period.months[position - 1]
                # A month that has not begun cannot have a visit yet (shown, but not editable).
                self.fields[f"month_{position}_visited"] = YesNoField(
                    label=month_name(month), required=False, disabled=date(period.year, month, 1) > today)
        else:
            self.fields["activity_done"] = YesNoField(label=_("Activity took place?"), required=False)
            self.fields["activity"] = forms.CharField(
                label=_("What activity"), required=False, max_length=200,
                widget=FastTextInput(attrs={"placeholder": _("e.g. posyandu lansia, home care visit")}))
        self.link_to = link_to if row.link is None else None
        if self.link_to is not None:
            self.fields["link"] = forms.BooleanField(
                label=_("Registered at %(facility)s") % {"facility": link_to.name}, required=False,
                widget=FastCheckbox(attrs={"data-link-box": ""}))
        if facilities is not None:
            self.facility_options = {str(f.pk): f for f in facilities}
            self.fields["facility"] = forms.ChoiceField(
                label=_("Facility"), required=False, widget=FastSelect,
                choices=[("", _("— not linked —"))] + [(pk, f.name) for pk, f in self.facility_options.items()],
                initial=str(row.link.facility_id) if row.link else "")
        for name, form_field in self.fields.items():
            if name == "shown":
                continue
            form_field.disabled = read_only or form_field.disabled
            widget = form_field.widget
            widget.attrs["class"] = ("form-check-input" if isinstance(widget, forms.CheckboxInput)
                                     else "form-select" if isinstance(widget, forms.Select) else "form-control")

    @property
    def was_shown(self) -> bool:
        return self.is_bound and self.data.get(self.add_prefix("shown")) == "1"

    @property
    def value_fields(self):
        return [self[name] for name in CommitmentRecord.VALUE_FIELDS[self.row.due.commitment] if name in self.fields]

    def clean(self):
        data = super().clean()
        values = {name: data.get(name) for name in CommitmentRecord.VALUE_FIELDS[self.row.due.commitment]
                  if name in self.fields}
        for name, message in services.value_problems(self.row.due.commitment, values, period=self.period,
                                                     today=self.today).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return data

    def entry(self) -> services.Entry:
        """The service's input for this row; months not shown keep what is recorded."""
        commitment = self.row.due.commitment
        record = self.row.record
        values = {}
        for name in CommitmentRecord.VALUE_FIELDS[commitment]:
            if name in self.fields:
                values[name] = self.cleaned_data.get(name)
            else:
                values[name] = getattr(record, name) if record else None
        entry = services.Entry(member=self.row.member, commitment=commitment, values=values)
        # Values entered from a facility's register mean the member goes there: link them (the script
        # ticks the box as the values are typed, so the user sees it happen).
        if self.link_to is not None and (self.cleaned_data.get("link") or any(
                values[name] not in (None, "") for name in values if name in self.fields)):
            entry.link, entry.link_facility = services.SET, self.link_to
        if "facility" in self.fields:
            chosen = self.facility_options.get(self.cleaned_data.get("facility") or "")
            current = self.row.link.facility_id if self.row.link else None
            if chosen is None and current is not None:
                entry.link = services.CLEAR
            elif chosen is not None and chosen.pk != current:
                entry.link, entry.link_facility = services.SET, chosen
        return entry

    @property
    def has_values(self) -> bool:
        return any(field.value() not in (None, "") for field in self.value_fields)


def attach_service_errors(forms_by_key: dict, exc) -> list[str]:
    """Put a service's row errors (`m12-education.attendance_percent`) on the row forms; returns every
    message for the summary at the top of the page."""
    messages = []
    for key, errors in exc.message_dict.items():
        row_key, _dot, name = key.partition(".")
        form = forms_by_key.get(row_key)
        for message in errors:
            messages.append(message)
            if form is not None:
                form.add_error(name if name in form.fields else None, message)
    return messages


# --- facilities -----------------------------------------------------------------------------------

class FacilityForm(forms.ModelForm):
    class Meta:
        model = Facility
        fields = ["name", "kind", "kelurahan", "npsn", "address", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].queryset = access.visible_kelurahan(user).order_by("name")
        self.fields["kelurahan"].widget = FastSelect(choices=self.fields["kelurahan"].choices)
        self.fields["npsn"].widget.attrs.update({"inputmode": "numeric", "maxlength": 8, "autocomplete": "off"})
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_npsn(self):
        """Checked here too so the message names the school that has it (the database constraint's
        own message would be a generic one above the form)."""
        npsn = (self.cleaned_data.get("npsn") or "").strip()
        problem = services.npsn_problem(npsn, self.data.get("kind", ""), self.instance.pk)
        if problem:
            raise forms.ValidationError(problem)
        return npsn


class FacilityFilterForm(forms.Form):
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    kind = forms.ChoiceField(label=_("Kind"), required=False, widget=FastSelect,
                             choices=[("", _("All kinds"))] + list(Facility.Kind.choices))
    q = forms.CharField(label=_("Name or NPSN"), required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + list(
            access.visible_kelurahan(user).order_by("name").values_list("code", "name"))
        self.helper = _no_tag_helper()


# --- proposals and the refresh job ---------------------------------------------------------------

class DecisionForm(forms.Form):
    DECISIONS = [("approve", _("Approve: suspend the household")), ("reject", _("Reject the proposal"))]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    effective_date = forms.DateField(label=_("Suspended from"), required=False, widget=DateInput(),
                                     initial=timezone.localdate)
    note = forms.CharField(label=_("Reason / note"), required=False, max_length=255,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required when you reject the proposal."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _no_tag_helper()

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve":
            if not data.get("effective_date"):
                self.add_error("effective_date", _("Give the date the suspension starts."))
            elif data["effective_date"] > timezone.localdate():
                self.add_error("effective_date", _("The date cannot be in the future."))
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Give the reason for rejecting the proposal."))
        return data


class RefreshForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), widget=FastSelect)
    city = forms.ChoiceField(label=_("City"), widget=FastSelect)

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(today)
        self.fields["period"].initial = Period.of(today).key
        self.fields["city"].choices = list(access.visible_cities(user).order_by("code").values_list("code", "name"))
        self.helper = _no_tag_helper()

    def clean_period(self):
        return Period.parse(self.cleaned_data["period"])
