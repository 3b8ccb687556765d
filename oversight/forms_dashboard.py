"""The rebalancing confirmation form: the exact families listed on the page and the reason (required, prefilled)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class HouseholdIdsField(forms.Field):
    """Household ids sent back by the confirmation page. Which of them may move is the service's check (still
    the source facilitator's active families in the city), so a stale list gets its message, not a field error."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("Select at least one household.")}

    def to_python(self, value):
        if not value:
            return []
        try:
            return [int(pk) for pk in value]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["required"], code="invalid") from None


class RebalanceForm(forms.Form):
    households = HouseholdIdsField()
    reason = forms.CharField(label=_("Reason"), max_length=255,
                             help_text=_("Recorded with each family's new assignment and in the change history."))
