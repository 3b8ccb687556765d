"""The upload form of the bank-data import (monitoring.views.imports)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.widgets import FastSelect


class BankImportForm(forms.Form):
    file = forms.FileField(label=_("Bank file (CSV or XLSX)"),
                           help_text=_("One row per event (SALUR or TARIK); see the columns below."))
    city = forms.ChoiceField(label=_("City"), widget=FastSelect,
                             help_text=_("Rows whose ID KPM is not in the registry are kept under this city."))

    def __init__(self, *args, cities, **kwargs):
        """`cities`: the regencies/cities the user may import for (org.access.visible_cities)."""
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [(city.code, f"{city.name} ({city.code})") for city in cities]
        if len(self.fields["city"].choices) == 1:
            self.fields["city"].initial = self.fields["city"].choices[0][0]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(size)s MB.")
                                        % {"size": settings.IMPORT_MAX_UPLOAD_BYTES // 2**20})
        return upload
