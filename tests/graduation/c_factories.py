"""Test data of the assessment, graduation-page and candidate-list tests (helper C's files)."""

from datetime import date

from django.utils import timezone

from graduation.classifier import Check
from graduation.models import Assessment, PovertyLine, ScreeningResult
from tests.factories import region

# An assessment that passes every independent-prosperous criterion with a poverty line of Rp850.000:
# Rp1.500.000 per person, high housing, 4 assets, savings of 2 months, JKN for all.
STRONG = dict(
    household_size=4, income_work=4_000_000, income_business=2_000_000, income_transfers=0, income_other=0,
    work_stability=Assessment.WorkStability.PERMANENT, main_occupation="Pedagang",
    savings_amount=6_000_000, monthly_spending=3_000_000, has_motorcycle=True, has_refrigerator=True,
    has_television=True, has_smartphone=True, floor="tile", walls="brick", roof="tile", toilet="own", water="piped",
    school_age_children=2, children_in_school=2, jkn=Assessment.JKN.ALL, skills="Menjahit", goals="Buka toko",
    wants_to_graduate=True,
)


def make_assessment(household, assessor, *, number=None, assessed_on=None, **fields) -> Assessment:
    """An assessment saved directly (the service is tested on its own)."""
    if number is None:
        number = household.assessments.count() + 1
    return Assessment.objects.create(household=household, assessor=assessor, number=number,
                                     assessed_on=assessed_on or timezone.localdate(), **{**STRONG, **fields})


def poverty_line(code="31.75", year=None, amount=850_000) -> PovertyLine:
    return PovertyLine.objects.create(region=region(code), year=year or timezone.localdate().year, amount=amount)


def form_data(**changes) -> dict:
    """What the assessment form posts for STRONG, typed as a facilitator would (dotted rupiah)."""
    data = {
        "assessed_on": timezone.localdate().isoformat(), "visit": "", "household_size": "4",
        "income_work": "4.000.000", "income_business": "2.000.000", "income_transfers": "", "income_other": "0",
        "work_stability": "permanent", "main_occupation": "Pedagang",
        "savings_amount": "6.000.000", "monthly_spending": "3.000.000", "has_motorcycle": "on",
        "has_refrigerator": "on", "has_television": "on", "has_smartphone": "on",
        "debt_amount": "", "debt_source": "", "debt_monthly_payment": "",
        "floor": "tile", "walls": "brick", "roof": "tile", "toilet": "own", "water": "piped",
        "school_age_children": "2", "children_in_school": "2", "jkn": "all",
        "skills": "Menjahit", "resources": "", "support_network": "", "goals": "Buka toko",
        "wants_to_graduate": "on", "notes": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def screened(household, classification, *, score=None, checks=(), as_of=date(2026, 11, 1), version=1) -> ScreeningResult:
    return ScreeningResult.objects.create(
        household=household, as_of=as_of, classification=classification, rules_version=version, score=score,
        checks=[c.as_json() if isinstance(c, Check) else c for c in checks])


def natural_due(day="2026-11-01") -> list[Check]:
    return [Check("no_components", True, "natural", {"date": day, "components": []}),
            Check("decile_above_cutoff", False, "natural", {"decile": 3, "max_decile": 4})]


def income_short(per_capita=1_000_000, needed=1_275_000) -> list[Check]:
    """A BELUM family whose income is short (the business check fails too) and whose housing passes."""
    return [
        Check("no_components", False, "natural", {"date": "2026-11-01", "components": [{"code": "SD", "member": "Agus"}]}),
        Check("income_per_capita", False, "required", {
            "group": "economy", "per_capita": per_capita, "total": per_capita * 4, "size": 4, "poverty_line": 850_000,
            "multiple": "1.50", "needed": needed, "shortfall": needed - per_capita}),
        Check("business_running", False, "required", {"group": "economy", "min_months": 6, "source": None,
                                                      "months": None, "net": None}),
        Check("housing", True, "required", {"score": 9, "max": 10, "level": "high", "min_level": "medium"}),
    ]
