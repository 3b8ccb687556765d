"""The filter of the graduation statistics page and its export (graduation.views.statistics)."""

from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.widgets import FastSelect
from graduation.statistics import StatisticsFilters
from org import access

FIRST_YEAR = 2007  # PKH started in 2007
ALL_YEARS = "all"


class StatisticsFilterForm(forms.Form):
    """Year for everyone; city (when the user has several) and kelurahan for coordinators, auditors and
    administrators. Choices come from org.access, so nothing outside the user's scope can be asked for."""

    year = forms.ChoiceField(label=gettext_lazy("Year"), required=False, widget=FastSelect)
    kota = forms.ChoiceField(label=gettext_lazy("City"), required=False, widget=FastSelect)
    kelurahan = forms.ChoiceField(label=gettext_lazy("Kelurahan"), required=False, widget=FastSelect)

    def __init__(self, *args, user, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(str(y), str(y)) for y in range(today.year, FIRST_YEAR - 1, -1)] + [
            (ALL_YEARS, _("All years"))]
        if not access.can_view_city(user):
            del self.fields["kota"], self.fields["kelurahan"]
            return
        cities = list(access.visible_cities(user).order_by("name").values_list("code", "name"))
        if len(cities) > 1:
            self.fields["kota"].choices = [("", _("All my cities"))] + cities
        else:
            del self.fields["kota"]
        villages = access.visible_kelurahan(user).filter(
            code__in=access.visible_households(user).order_by().values("kelurahan_id"))
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + list(
            villages.order_by("name").values_list("code", "name"))

    def filters(self, today: date) -> StatisticsFilters:
        """The valid fields' values; an invalid one (a city outside the scope) falls back to its default."""
        data = {}
        if self.is_bound:
            self.is_valid()  # cleans every field; an invalid one is left out of cleaned_data
            data = self.cleaned_data
        year = data.get("year") or str(today.year)
        return StatisticsFilters(
            year=None if year == ALL_YEARS else int(year),
            city=data.get("kota", ""),
            kelurahan=data.get("kelurahan", ""),
        )
