"""Display helpers for registry pages (labels and badge colours), as filters so lists stay fast."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

COMPONENT_SHORT_LABELS = {
    "HAMIL": _("Pregnant"),
    "ANAK_USIA_DINI": _("Early childhood"),
    "SD": "SD",
    "SMP": "SMP",
    "SMA": "SMA",
    "DISABILITAS_BERAT": _("Severe disability"),
    "LANSIA": _("Elderly"),
}
STATUS_CLASSES = {
    "active": "text-bg-success",
    "suspended": "text-bg-warning",
    "graduated": "text-bg-info",
}


@register.filter
def component_label(code) -> str:
    return str(COMPONENT_SHORT_LABELS.get(code, code))


@register.filter
def status_class(status) -> str:
    return STATUS_CLASSES.get(status, "text-bg-secondary")
