"""Badge colours of case and referral statuses."""

from django import template

register = template.Library()

CASE_STATUS_CLASSES = {
    "open": "text-bg-primary",
    "in_progress": "text-bg-info",
    "referred": "text-bg-warning",
    "resolved": "text-bg-success",
    "closed": "text-bg-secondary",
}
REFERRAL_STATUS_CLASSES = {
    "pending": "text-bg-warning",
    "accepted": "text-bg-info",
    "resolved": "text-bg-success",
    "declined": "text-bg-danger",
}


@register.filter
def case_status_class(status) -> str:
    return CASE_STATUS_CLASSES.get(status, "text-bg-secondary")


@register.filter
def referral_status_class(status) -> str:
    return REFERRAL_STATUS_CLASSES.get(status, "text-bg-secondary")
