"""The form of the graduation screening on demand (graduation.views.screening)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import FastSelect


class ScreeningRefreshForm(forms.Form):
    city = forms.ChoiceField(label=_("City"), widget=FastSelect)

    def __init__(self, *args, cities, **kwargs):
        """`cities`: the graduation.screening.CityScreening rows of the cities the user sees."""
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [(city.code, f"{city.name} ({city.code})") for city in cities]
        self.helper = FormHelper()
        self.helper.form_tag = False
