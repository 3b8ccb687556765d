"""Reasons in words a facilitator understands. Results store reasons as codes with their numbers
(compliance.verification); they are put into words here, in the reader's language, when shown."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from beneficiaries.templatetags.registry import component_label
from compliance.periods import month_name

def _day(value: str) -> str:
    try:
        return date_format(date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value)


def _months(numbers) -> str:
    return ", ".join(month_name(int(n)) for n in numbers)


def reason_text(reason: dict) -> str:
    """One sentence, starting with the member's name and what they are a component as."""
    code = reason.get("code", "")
    params = {**reason, "name": reason.get("member", "?")}
    label = component_label(reason.get("component")) if reason.get("component") else ""
    who = f"{params['name']} ({label})" if label else params["name"]
    if code == "attendance_low":
        text = _("attended %(attendance)s%% of school days; at least %(threshold)s%% is required.") % params
    elif code == "attendance_missing":
        text = _("school attendance not recorded yet.")
    elif code == "antenatal_total_low":
        text = _("the pregnancy ended on %(day)s after %(total)s antenatal check-ups; at least %(threshold)s are required.") % {
            **params, "day": _day(reason.get("ended_on"))}
    elif code == "antenatal_total_missing":
        text = _("the pregnancy ended on %(day)s: record how many antenatal check-ups she had in the whole pregnancy.") % {
            "day": _day(reason.get("ended_on"))}
    elif code == "antenatal_period_low":
        if params.get("count") == 0:
            text = _("no antenatal check-up in this period; at least %(threshold)s is required.") % params
        else:
            text = _("%(count)s antenatal check-ups in this period; at least %(threshold)s are required.") % params
    elif code == "antenatal_missing":
        text = _("antenatal check-ups of this period not recorded yet.")
    elif code == "posyandu_missed":
        text = _("no posyandu visit in %(months)s.") % {"months": _months(reason.get("months", []))}
    elif code == "posyandu_missing":
        text = _("posyandu visits not recorded yet for %(months)s.") % {"months": _months(reason.get("months", []))}
    elif code == "activity_none":
        text = _("no health or social-welfare activity in this period.")
    elif code == "activity_missing":
        text = _("health or social-welfare activity not recorded yet.")
    else:
        text = code
    return f"{who}: {text}"


def reason_texts(reasons) -> list[str]:
    return [reason_text(r) for r in reasons or []]
