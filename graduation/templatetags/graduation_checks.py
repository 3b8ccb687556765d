"""Template filters of the graduation pages: the classifier's checks in words (graduation.reasons), the
classification badges, and the changes between two assessments."""

from dataclasses import dataclass

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.templatetags.pkh import rupiah
from graduation.candidates import as_checks
from graduation.models import Assessment, Classification
from graduation.reasons import describe

register = template.Library()

CLASSIFICATION_CLASSES = {
    Classification.ALAMIAH: "text-bg-primary",
    Classification.ALAMIAH_SEGERA: "text-bg-info",
    Classification.KANDIDAT_MANDIRI: "text-bg-success",
    Classification.BELUM: "text-bg-secondary",
}
KIND_LABELS = {
    "natural": gettext_lazy("Natural graduation"), "natural_soon": gettext_lazy("Natural graduation soon"),
    "required": gettext_lazy("Required"), "weighted": gettext_lazy("Weighted"), "score": gettext_lazy("Score"),
    "info": gettext_lazy("For the conversation"),
}


@dataclass(frozen=True)
class CheckRow:
    """A check as a page shows it: `state` is "passed", "failed" (a requirement or a weight not reached)
    or "info" (a note, or a natural-graduation rule that does not apply)."""

    key: str
    kind: str
    state: str
    text: str
    weight: int


def _state(check) -> str:
    if check.passed is None or check.kind in ("natural", "natural_soon", "info"):
        return "passed" if check.passed and check.kind != "info" else "info"
    return "passed" if check.passed else "failed"


@register.filter
def check_rows(checks) -> list[CheckRow]:
    """Checks (classifier.Check objects or their stored JSON) with their words in the active language."""
    return [CheckRow(c.key, c.kind, _state(c), describe(c), c.weight) for c in as_checks(checks)]


@register.filter
def describe_check(check) -> str:
    return describe(check) if check else ""


@register.filter
def kind_label(kind) -> str:
    return str(KIND_LABELS.get(kind, ""))


@register.filter
def classification_class(code) -> str:
    return CLASSIFICATION_CLASSES.get(code, "text-bg-light")


@register.filter
def classification_label(code) -> str:
    try:
        return Classification(code).label
    except ValueError:
        return ""


@register.filter
def level_label(code) -> str:
    return {"low": _("low"), "medium": _("medium"), "high": _("high")}.get(code, code)


@register.filter
def jkn_label(code) -> str:
    try:
        return Assessment.JKN(code).label
    except ValueError:
        return ""


@register.filter
def signed(value, money=False) -> str:
    """+3, −2, +Rp150.000; "" for no change."""
    if not value:
        return ""
    text = rupiah(abs(value)) if money else str(abs(value))
    return f"+{text}" if value > 0 else f"−{text}"


@register.filter
def change_class(value, lower_is_better=False) -> str:
    """Green for better, red for worse."""
    if not value:
        return "text-body-secondary"
    better = value < 0 if lower_is_better else value > 0
    return "text-success" if better else "text-danger"


@register.filter
def model_label(obj, name) -> str:
    """A model field's label, capitalised: `{{ assessment|model_label:"income_work" }}`."""
    label = str(obj._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]
