"""Display helpers of commitment verification (labels and badge colours), as filters so lists stay fast."""

from django import template
from django.utils.translation import gettext_lazy as _

from compliance.models import Commitment, HouseholdResult, SuspensionProposal

register = template.Library()

RESULT_CLASSES = {
    "compliant": "text-bg-success",
    "non_compliant": "text-bg-danger",
    "not_verified": "text-bg-warning",
    "none": "text-bg-secondary",
}
OUTCOME_CLASSES = {"met": "text-bg-success", "failed": "text-bg-danger", "missing": "text-bg-light border"}
OUTCOME_LABELS = {"met": _("Met"), "failed": _("Not met"), "missing": _("Not recorded yet")}
PROPOSAL_CLASSES = {
    "pending": "text-bg-warning",
    "approved": "text-bg-danger",
    "rejected": "text-bg-secondary",
    "withdrawn": "text-bg-light border",
}


@register.filter
def result_class(status) -> str:
    return RESULT_CLASSES.get(status, "text-bg-light border")


@register.filter
def result_label(status) -> str:
    try:
        return str(HouseholdResult.Status(status).label)
    except ValueError:
        return ""


@register.filter
def outcome_class(status) -> str:
    return OUTCOME_CLASSES.get(status, "text-bg-light border")


@register.filter
def outcome_label(status) -> str:
    return str(OUTCOME_LABELS.get(status, ""))


@register.filter
def commitment_label(code) -> str:
    try:
        return str(Commitment(code).label)
    except ValueError:
        return str(code)


@register.filter
def proposal_class(status) -> str:
    return PROPOSAL_CLASSES.get(status, "text-bg-secondary")


@register.filter
def proposal_label(status) -> str:
    try:
        return str(SuspensionProposal.Status(status).label)
    except ValueError:
        return ""
