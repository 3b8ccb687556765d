"""The filter of the flags page. Choices come from org.access and from the flags the user sees."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import FastSelect
from monitoring import flags
from monitoring.models import FlagCode
from org import access


class FlagFilterForm(forms.Form):
    code = forms.ChoiceField(label=_("Flag"), required=False, widget=FastSelect)
    stage = forms.ChoiceField(label=_("Stage"), required=False, widget=FastSelect)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False, widget=FastSelect)
    facilitator = forms.ChoiceField(label=_("Facilitator"), required=False, widget=FastSelect)
    waiting = forms.BooleanField(label=_("Only flags without a case"), required=False)
    household = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", _("All flags"))] + [
            (code, f"{label} ({code})") for code, label in FlagCode.choices]
        self.fields["stage"].choices = ([("", _("All stages"))] + flags.stage_choices(user)
                                        + [("none", _("Registry findings (no stage)"))])
        self.fields["kelurahan"].choices = [("", _("All kelurahan"))] + list(
            access.visible_kelurahan(user).order_by("name").values_list("code", "name"))
        if access.can_view_city(user):
            self.fields["facilitator"].choices = [("", _("All facilitators")), ("none", _("Not assigned"))] + [
                (str(f.pk), f.get_full_name() or f.username)
                for f in access.visible_facilitators(user).order_by("first_name", "username")
            ]
        else:
            del self.fields["facilitator"]

    def filters(self) -> flags.FlagFilters:
        if not self.is_bound:
            return flags.FlagFilters()
        self.is_valid()  # a value outside the user's choices is dropped; the other filters still apply
        data = self.cleaned_data
        return flags.FlagFilters(
            code=data.get("code", ""), stage=data.get("stage", ""), kelurahan=data.get("kelurahan", ""),
            facilitator=data.get("facilitator", ""), household=data.get("household"),
            waiting=bool(data.get("waiting")),
        )
