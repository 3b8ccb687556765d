"""Template filters of the livelihood pages."""

from django import template

from livelihood.models import CreditReferral

register = template.Library()

REFERRAL_CLASSES = {
    CreditReferral.Status.REFERRED: "text-bg-info",
    CreditReferral.Status.TRAINED: "text-bg-primary",
    CreditReferral.Status.APPROVED: "text-bg-success",
    CreditReferral.Status.DECLINED: "text-bg-secondary",
}


@register.filter
def referral_class(status) -> str:
    """The badge colour of a referral status."""
    return REFERRAL_CLASSES.get(status, "text-bg-light")


@register.filter
def referral_label(status) -> str:
    """The label of a referral status given as its code (annotations carry only the code)."""
    try:
        return CreditReferral.Status(status).label
    except ValueError:
        return ""


@register.filter
def net_class(amount) -> str:
    """Negative net income reads in red."""
    return "text-danger" if amount is not None and amount < 0 else ""


@register.filter
def kube_label(name) -> str:
    """A KUBE's name as a label: "KUBE Melati" for "Melati", unchanged when the name already says KUBE."""
    text = str(name or "")
    return text if text.upper().startswith("KUBE") else f"KUBE {text}"
