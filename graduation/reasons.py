"""Words for the classifier's checks (graduation.classifier.Check), in the active language: what was
checked, the data it used, and — when it failed — what is missing and by how much.

A city's screening describes some 200,000 checks: the translations, dates and numbers are memoised per
language (Django's gettext looks the active language up on every call, which alone took seconds)."""

import threading
from datetime import date
from functools import lru_cache

from django.utils import formats, translation

from core.templatetags.pkh import rupiah
from graduation.classifier import Check

_active = threading.local()  # the language of the describe()/reasons() call running in this thread


@lru_cache(maxsize=2048)
def _translated(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@lru_cache(maxsize=2048)
def _translated_plural(language: str, singular: str, plural: str, count: int) -> str:
    with translation.override(language):
        return translation.ngettext(singular, plural, count)


def _(message: str) -> str:
    return _translated(_active.language, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translated_plural(_active.language, singular, plural, count)


@lru_cache(maxsize=4096)
def _date_in(language: str, value: str) -> str:
    with translation.override(language):
        return formats.date_format(date.fromisoformat(value), "j F Y")


def _date(value: str | None) -> str:
    return _date_in(_active.language, value) if value else ""


@lru_cache(maxsize=1024)
def _decimal_in(language: str, value: float) -> str:
    with translation.override(language):
        return formats.number_format(value, 1)


def _level(code: str) -> str:
    return {"low": _("low"), "medium": _("medium"), "high": _("high")}.get(code, code)


def _components(items: list[dict]) -> str:
    return ", ".join(f"{c['code']} ({c['member']})" if c.get("member") else c["code"] for c in items)


def _asset(name: str) -> str:
    return {
        "has_motorcycle": _("motorcycle"), "has_refrigerator": _("refrigerator"), "has_television": _("television"),
        "has_smartphone": _("smartphone"), "has_gold_or_land": _("gold, land or livestock"),
        "has_work_equipment": _("work equipment"), "owns_house": _("own house"),
    }.get(name, name)


def describe(check: Check | dict) -> str:
    """One sentence for a check, in the active language."""
    return _describe(check, translation.get_language() or "en")


def reasons(checks) -> list[str]:
    """One sentence per check, in the active language."""
    language = translation.get_language() or "en"
    return [_describe(c, language) for c in checks]


def _describe(check: Check | dict, language: str) -> str:
    if isinstance(check, dict):
        check = Check.from_json(check)
    _active.language = language
    describe_key = _DESCRIBERS.get(check.key)
    return describe_key(check, check.data) if describe_key else check.key


def _no_components(check, d):
    if check.passed:
        return _("No component left on %(date)s: natural graduation is due.") % {"date": _date(d["date"])}
    return ngettext("%(count)d component still counts on %(date)s: %(list)s.",
                    "%(count)d components still count on %(date)s: %(list)s.", len(d["components"])) % {
        "count": len(d["components"]), "date": _date(d["date"]), "list": _components(d["components"])}


def _decile(check, d):
    if d["decile"] is None:
        return _("DTSEN decile not known; eligible up to decile %(max)d.") % {"max": d["max_decile"]}
    if check.passed:
        return _("DTSEN decile %(decile)d is above the eligible deciles (up to %(max)d): no longer eligible.") % {
            "decile": d["decile"], "max": d["max_decile"]}
    return _("DTSEN decile %(decile)d is within the eligible deciles (up to %(max)d).") % {
        "decile": d["decile"], "max": d["max_decile"]}


def _horizon(check, d):
    if check.passed:
        text = _("Within %(months)d months (on %(date)s) no component is left: %(ending)s will end.") % {
            "months": d["months"], "date": _date(d["date"]), "ending": _components(d["ending"]) or "—"}
        for birth in d.get("births", ()):
            text += " " + _("%(member)s expects a baby on %(due)s: a newborn would be a new early-childhood "
                            "component, so check before proposing.") % {"member": birth["member"],
                                                                         "due": _date(birth["due"])}
        return text
    return _("On %(date)s (in %(months)d months) components still count: %(list)s.") % {
        "date": _date(d["date"]), "months": d["months"], "list": _components(d["components"])}


def _assessment(check, d):
    if d["date"] is None:
        return _("No socio-economic assessment yet: record one to check the independent-prosperous criteria.")
    if check.passed:
        return _("Assessment no. %(number)d of %(date)s is %(months)d months old (valid for %(max)d).") % {
            "number": d["number"], "date": _date(d["date"]), "months": d["months"], "max": d["max_months"]}
    return _("The latest assessment (%(date)s) is %(months)d months old, more than %(max)d: record a new one.") % {
        "date": _date(d["date"]), "months": d["months"], "max": d["max_months"]}


def _income(check, d):
    base = {"per_capita": rupiah(d["per_capita"]), "total": rupiah(d["total"]), "size": d["size"],
            "multiple": d["multiple"].rstrip("0").rstrip(".").replace(".", ",")}
    if d["poverty_line"] is None:
        return _("Income per person %(per_capita)s a month (%(total)s for %(size)d people); the regional poverty "
                 "line for this year is not entered, so it cannot be compared.") % base
    base.update(line=rupiah(d["poverty_line"]), needed=rupiah(d["needed"]), shortfall=rupiah(d["shortfall"]))
    if check.passed:
        return _("Income per person %(per_capita)s a month (%(total)s for %(size)d people) reaches %(needed)s "
                 "(%(multiple)s × the poverty line %(line)s).") % base
    return _("Income per person %(per_capita)s a month (%(total)s for %(size)d people); needed %(needed)s "
             "(%(multiple)s × the poverty line %(line)s): %(shortfall)s short.") % base


def _business(check, d):
    if d["source"] is None:
        return _("No business recorded (a business running at least %(min)d months with a positive net income "
                 "would also be enough).") % {"min": d["min_months"]}
    values = {"name": d["name"] or _("business from the assessment"), "months": d["months"], "min": d["min_months"],
              "net": rupiah(d["net"]) if d["net"] is not None else _("not recorded")}
    if check.passed:
        return _("%(name)s has run %(months)d months (at least %(min)d) with an average net income of %(net)s "
                 "a month.") % values
    if d["months"] < d["min_months"]:
        values["missing"] = d["min_months"] - d["months"]
        return _("%(name)s has run %(months)d months: %(missing)d more to reach %(min)d (average net income "
                 "%(net)s).") % values
    if d["net"] is None:
        return _("%(name)s has run %(months)d months but no monthly income is recorded: record its revenue and "
                 "expenses (the average net income must be positive).") % values
    return _("%(name)s has run %(months)d months but its average net income is %(net)s: it must be positive.") % values


def _school(check, d):
    if d["registry_out_of_school"]:
        return _("Out of school according to the registry: %(names)s.") % {"names": ", ".join(d["registry_out_of_school"])}
    if d["children"] == 0:
        return _("No child aged 7–18 in the household.")
    if check.passed:
        return _("All %(children)d children aged 7–18 are in school.") % d
    return _("%(in_school)d of %(children)d children aged 7–18 are in school: %(missing)d not.") % {
        **d, "missing": d["children"] - d["in_school"]}


def _housing(check, d):
    values = {"score": d["score"], "max": d["max"], "level": _level(d["level"]), "min": _level(d["min_level"])}
    if check.passed:
        return _("Housing score %(score)d of %(max)d (%(level)s), at least %(min)s.") % values
    return _("Housing score %(score)d of %(max)d (%(level)s): %(min)s is needed (floor, walls, roof, toilet, "
             "drinking water).") % values


def _assets(check, d):
    values = {"count": d["count"], "min": d["min"], "list": ", ".join(_asset(a) for a in d["assets"]) or "—",
              "weight": check.weight}
    if check.passed:
        return _("%(count)d assets (%(list)s), at least %(min)d: +%(weight)d.") % values
    return _("%(count)d assets (%(list)s), %(min)d needed for +%(weight)d.") % values


def _savings(check, d):
    values = {"amount": rupiah(d["amount"]), "min": d["min_months"], "weight": check.weight,
              "months": _decimal_in(_active.language, d["months"]) if d["months"] is not None else "?"}
    if d["amount"] == 0:
        return _("No savings: +%(weight)d needs savings of at least %(min)d month(s) of spending.") % values
    if d["months"] is None:  # no spending recorded: any savings count
        return _("Savings %(amount)s (spending per month not recorded): +%(weight)d.") % values
    if check.passed:
        return _("Savings %(amount)s (%(months)s months of spending): +%(weight)d.") % values
    return _("Savings %(amount)s cover %(months)s months of spending, %(min)d needed for +%(weight)d.") % values


def _jkn(check, d):
    values = {"weight": check.weight}
    if check.passed:
        return _("Every member has JKN health insurance: +%(weight)d.") % values
    if d["jkn"] == "some":
        return _("Only some members have JKN health insurance; all are needed for +%(weight)d.") % values
    return _("No member has JKN health insurance; all are needed for +%(weight)d.") % values


def _p2k2(check, d):
    values = {**d, "weight": check.weight}
    if d["meetings"] == 0:
        return _("No P2K2 meeting recorded in the last 12 months; at least %(min)d%% attendance gives "
                 "+%(weight)d.") % values
    if check.passed:
        return _("P2K2 attendance %(percent)d%% (%(present)d of %(meetings)d meetings in 12 months): "
                 "+%(weight)d.") % values
    return _("P2K2 attendance %(percent)d%% (%(present)d of %(meetings)d meetings in 12 months), %(min)d%% "
             "needed for +%(weight)d.") % values


def _years(check, d):
    values = {**d, "weight": check.weight}
    if check.passed:
        return _("In PKH since %(joined)d (%(years)d years, at least %(min)d): +%(weight)d.") % values
    return _("In PKH since %(joined)d (%(years)d years), %(min)d years give +%(weight)d.") % values


def _score(check, d):
    values = {"score": d["score"], "threshold": d["threshold"], "max": d["max"],
              "short": max(d["threshold"] - d["score"], 0)}
    if check.passed:
        return _("Score %(score)d of %(max)d reaches the %(threshold)d needed.") % values
    return _("Score %(score)d of %(max)d: %(short)d short of the %(threshold)d needed.") % values


def _wants(check, d):
    if d["wants"]:
        return _("The family says it wants to leave PKH by its own choice.")
    return _("The family has not (yet) said it wants to leave PKH: talk it over before proposing.")


_DESCRIBERS = {
    "no_components": _no_components,
    "decile_above_cutoff": _decile,
    "no_components_at_horizon": _horizon,
    "assessment_recent": _assessment,
    "income_per_capita": _income,
    "business_running": _business,
    "children_in_school": _school,
    "housing": _housing,
    "assets": _assets,
    "savings": _savings,
    "jkn": _jkn,
    "p2k2_attendance": _p2k2,
    "years_in_program": _years,
    "score": _score,
    "wants_to_graduate": _wants,
}
