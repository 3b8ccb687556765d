"""The graduation classifier, household by household (pure: no database).

Each case is a hand-made household on D = 31 December 2026 with the benefit indexes of 2020–2026
(domain.md), its expected classification and the key facts of the reasons: which checks passed, the
data they used (ages, dates, shortfalls), and for a few the sentence a facilitator reads.
"""

import itertools
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from beneficiaries.components import MemberFacts, YearRules
from graduation import classifier
from graduation.classifier import (
    ALAMIAH,
    ALAMIAH_SEGERA,
    BELUM,
    KANDIDAT_MANDIRI,
    HouseholdFacts,
    RuleSet,
    add_months,
    months_between,
)
from graduation.reasons import describe
from livelihood.selectors import BusinessSummary

D = date(2026, 12, 31)
INDEXES = {"HAMIL": 3_000_000, "ANAK_USIA_DINI": 3_000_000, "SD": 900_000, "SMP": 1_500_000, "SMA": 2_000_000,
           "DISABILITAS_BERAT": 2_400_000, "LANSIA": 2_400_000}
YEAR_RULES = {year: YearRules(year=year, indexes=INDEXES) for year in range(2020, 2027)}
POVERTY_LINE = 850_000  # rupiah per person per month: 1.5 × = 1,275,000
_ids = itertools.count(1)


def year_rules(day: date) -> YearRules:
    """2025–2026 keep the 2020–2024 indexes; later years use the latest entered (as RuleBook does)."""
    return YEAR_RULES[min(day.year, 2026)]


def person(name: str, birth: date, **facts) -> MemberFacts:
    return MemberFacts(id=next(_ids), birth_date=birth, name=name, **facts)


def parents():
    return [person("Ibu Sari", date(1986, 3, 1)), person("Pak Budi", date(1981, 1, 1))]


def family():
    """Two school children whose components last well beyond the horizon: SMP (13) and SD (9)."""
    return parents() + [person("Dewi", date(2013, 5, 10), school="SMP"), person("Agus", date(2017, 8, 1), school="SD")]


def assessed(**changes):
    """A recent assessment that passes every criterion: Rp1,500,000 per person, high housing, 3 assets,
    1.2 months of savings, JKN for all."""
    values = dict(
        assessed_on=date(2026, 10, 15), number=2, household_size=4, income_work=6_000_000, income_business=0,
        income_transfers=0, income_other=0, business_months=None, business_net_income=None,
        savings_amount=3_000_000, monthly_spending=2_500_000, has_motorcycle=True, has_refrigerator=False,
        has_television=True, has_smartphone=True, has_gold_or_land=False, has_work_equipment=False,
        owns_house=False, floor="tile", walls="brick", roof="tile", toilet="own", water="piped",
        school_age_children=2, children_in_school=2, jkn="all", wants_to_graduate=True,
    )
    values.update(changes)
    values["total_income"] = (values["income_work"] + values["income_business"] + values["income_transfers"]
                              + values["income_other"])
    return SimpleNamespace(**values)


def business(months: int, net: int | None, *, name="Warung Bu Sari", stopped=False, average=None) -> BusinessSummary:
    started = add_months(D, -months)
    return BusinessSummary(
        business_id=next(_ids), household_id=1, kube_id=None, name=name, kind="warung", started_on=started,
        stopped_on=D if stopped else None, stopped=stopped, months_running=months, months_recorded=months,
        average_net=net if average is None else average, recent_months_recorded=min(months, 6), recent_average_net=net,
    )


HOUSEHOLD = HouseholdFacts(id=1, decile=3, joined_year=2018)
NO_ASSESSMENT = None


@dataclass
class Case:
    name: str
    expected: str
    members: list = field(default_factory=family)
    household: HouseholdFacts = HOUSEHOLD
    assessment: object = field(default_factory=assessed)
    businesses: tuple = ()
    p2k2: tuple | None = (9, 12)
    poverty_line: int | None = POVERTY_LINE
    rules: RuleSet = RuleSet()
    indexes: dict | None = None  # other indexes than 2020–2026 (both D's year and the horizon's)
    # {check key: passed} or {check key: (passed, {data key: value, ...})}: the data must contain these
    checks: dict = field(default_factory=dict)
    components: list | None = None
    annual: int | None = None
    score: int | None | str = "not asserted"
    texts: dict = field(default_factory=dict)  # {check key: the English sentence}

    def __str__(self):
        return self.name


def elderly(name="Nenek Ijah", **facts):
    return person(name, date(1950, 1, 1), **facts)


CASES = [
    # --- natural graduation due (ALAMIAH) -------------------------------------------------------
    Case("only adults of working age: no component", ALAMIAH, members=parents(),
         checks={"no_components": (True, {"components": [], "date": "2026-12-31"})}, components=[], annual=0,
         texts={"no_components": "No component left on 31 December 2026: natural graduation is due."}),
    Case("deceased and moved-out members count for nothing", ALAMIAH,
         members=[person("Ibu Sari", date(1986, 3, 1), pregnant=True, expected_delivery_date=date(2027, 3, 1),
                         exit_reason="deceased", exit_date=date(2026, 6, 1)),
                  person("Nenek Ijah", date(1950, 1, 1), exit_reason="moved_out", exit_date=date(2026, 11, 30)),
                  person("Agus", date(2017, 8, 1), school="SD", exit_reason="moved_out", exit_date=None),
                  person("Pak Budi", date(1981, 1, 1))],
         checks={"no_components": True}, components=[], annual=0),
    Case("a member leaving on D itself counts for nothing on D", ALAMIAH,
         members=parents() + [elderly(exit_reason="deceased", exit_date=D)], components=[]),
    Case("7th birthday exactly on D, not in school: early childhood has ended", ALAMIAH,
         members=parents() + [person("Adik", date(2019, 12, 31))], components=[]),
    Case("7th birthday the day before D: no longer early childhood", ALAMIAH,
         members=parents() + [person("Adik", date(2019, 12, 30))], components=[]),
    Case("22nd birthday exactly on D, still in SMA: no longer counts", ALAMIAH,
         members=parents() + [person("Kakak", date(2004, 12, 31), school="SMA")], components=[]),
    Case("22nd birthday the day before D: no longer counts", ALAMIAH,
         members=parents() + [person("Kakak", date(2004, 12, 30), school="SMA")], components=[]),
    Case("pregnancy due the day before D: no longer counts", ALAMIAH,
         members=[person("Ibu Sari", date(1990, 1, 1), pregnant=True, expected_delivery_date=date(2026, 12, 30),
                         pregnancy_order=1)],
         components=[]),
    Case("a third pregnancy does not count", ALAMIAH,
         members=[person("Ibu Sari", date(1990, 1, 1), pregnant=True, expected_delivery_date=date(2027, 2, 1),
                         pregnancy_order=3)],
         components=[]),
    Case("decile above the cut-off: natural graduation even with components", ALAMIAH,
         household=HouseholdFacts(id=1, decile=5, joined_year=2018),
         checks={"no_components": (False, {"components": [{"code": "SMP", "member": "Dewi"},
                                                          {"code": "SD", "member": "Agus"}]}),
                 "decile_above_cutoff": (True, {"decile": 5, "max_decile": 4})},
         components=["SMP", "SD"], annual=2_400_000,
         texts={"decile_above_cutoff": "DTSEN decile 5 is above the eligible deciles (up to 4): no longer eligible."}),

    # --- natural graduation soon (ALAMIAH_SEGERA) -----------------------------------------------
    Case("7th birthday the day after D: early childhood now, none on the horizon", ALAMIAH_SEGERA,
         members=parents() + [person("Adik", date(2020, 1, 1))],
         checks={"no_components": False,
                 "no_components_at_horizon": (True, {"date": "2027-06-30", "months": 6, "components": [],
                                                     "ending": [{"code": "ANAK_USIA_DINI", "member": "Adik"}]})},
         components=["ANAK_USIA_DINI"], annual=3_000_000,
         texts={"no_components_at_horizon":
                "Within 6 months (on 30 June 2027) no component is left: ANAK_USIA_DINI (Adik) will end."}),
    Case("22nd birthday the day after D: SMA counts now, not on the horizon", ALAMIAH_SEGERA,
         members=parents() + [person("Kakak", date(2005, 1, 1), school="SMA")], components=["SMA"], annual=2_000_000),
    Case("pregnancy due on D: counts now, not on the horizon", ALAMIAH_SEGERA,
         members=[person("Ibu Sari", date(1990, 1, 1), pregnant=True, expected_delivery_date=D, pregnancy_order=2)],
         components=["HAMIL"], annual=3_000_000,
         checks={"no_components_at_horizon": (True, {"births": [{"member": "Ibu Sari", "due": D.isoformat()}]})},
         texts={"no_components_at_horizon":
                "Within 6 months (on 30 June 2027) no component is left: HAMIL (Ibu Sari) will end. Ibu Sari expects "
                "a baby on 31 December 2026: a newborn would be a new early-childhood component, so check before "
                "proposing."}),
    Case("the only elderly member leaves within the horizon", ALAMIAH_SEGERA,
         members=parents() + [elderly(exit_reason="moved_out", exit_date=date(2027, 3, 1))],
         components=["LANSIA"], annual=2_400_000),

    # --- components that last: on to the independent-prosperous criteria -----------------------
    Case("a 3rd child under 6 does not count: the youngest two do", BELUM,
         members=parents() + [person("Anak 1", date(2021, 3, 1)), person("Anak 2", date(2023, 3, 1)),
                              person("Anak 3", date(2025, 3, 1))],
         assessment=NO_ASSESSMENT,
         checks={"no_components": (False, {"components": [{"code": "ANAK_USIA_DINI", "member": "Anak 2"},
                                                          {"code": "ANAK_USIA_DINI", "member": "Anak 3"}]}),
                 "no_components_at_horizon": False, "assessment_recent": (False, {"date": None})},
         components=["ANAK_USIA_DINI", "ANAK_USIA_DINI"], annual=6_000_000),
    Case("a disabled elderly member counts once (tie: disability first)", BELUM,
         members=parents() + [elderly(severe_disability=True)], assessment=NO_ASSESSMENT,
         components=["DISABILITAS_BERAT"], annual=2_400_000),
    Case("a disabled elderly member counts once, at the highest index", BELUM,
         members=parents() + [elderly(severe_disability=True)], assessment=NO_ASSESSMENT,
         indexes={**INDEXES, "LANSIA": 2_600_000}, components=["LANSIA"], annual=2_600_000),
    Case("more than 4 components: the 4 highest indexes count", BELUM,
         members=[person("Ibu Sari", date(1990, 1, 1), pregnant=True, expected_delivery_date=date(2027, 9, 1),
                         pregnancy_order=2),
                  person("Bayi", date(2025, 6, 1)), person("Balita", date(2024, 1, 1)),
                  person("Kakak", date(2009, 5, 1), school="SMA"), person("Abang", date(2012, 5, 1), school="SMP"),
                  elderly()],
         assessment=NO_ASSESSMENT,
         components=["HAMIL", "ANAK_USIA_DINI", "ANAK_USIA_DINI", "LANSIA"], annual=11_400_000),
    Case("pregnancy of unknown order due after the horizon counts now and then", BELUM,
         members=[person("Ibu Sari", date(1990, 1, 1), pregnant=True, expected_delivery_date=date(2027, 8, 1))],
         assessment=NO_ASSESSMENT, components=["HAMIL"], annual=3_000_000,
         checks={"no_components_at_horizon": (False, {"components": [{"code": "HAMIL", "member": "Ibu Sari"}]})}),
    Case("a child turning 7 in 8 months is not within the 6-month horizon", BELUM,
         members=parents() + [person("Adik", date(2020, 9, 1))], assessment=NO_ASSESSMENT,
         components=["ANAK_USIA_DINI"]),
    Case("no assessment yet", BELUM, assessment=NO_ASSESSMENT,
         checks={"assessment_recent": (False, {"date": None})}, score=None,
         texts={"assessment_recent": "No socio-economic assessment yet: record one to check the "
                                     "independent-prosperous criteria."}),

    # --- independent-prosperous candidates (KANDIDAT_MANDIRI) and what is missing (BELUM) ----------
    Case("every criterion met", KANDIDAT_MANDIRI,
         checks={"decile_above_cutoff": (False, {"decile": 3}), "no_components_at_horizon": False,
                 "assessment_recent": (True, {"months": 2, "number": 2}),
                 "income_per_capita": (True, {"per_capita": 1_500_000, "needed": 1_275_000, "shortfall": 0}),
                 "business_running": (False, {"source": None}), "children_in_school": True,
                 "housing": (True, {"score": 10, "level": "high"}), "assets": (True, {"count": 3}),
                 "savings": (True, {"months": 1.2}), "jkn": True, "p2k2_attendance": (True, {"percent": 75}),
                 "years_in_program": (True, {"years": 8}), "score": (True, {"score": 100, "missing": []}),
                 "wants_to_graduate": (None, {"wants": True})},
         components=["SMP", "SD"], annual=2_400_000, score=100,
         texts={"score": "Score 100 of 100 reaches the 60 needed.",
                "income_per_capita": "Income per person Rp1.500.000 a month (Rp6.000.000 for 4 people) reaches "
                                     "Rp1.275.000 (1,5 × the poverty line Rp850.000)."}),
    Case("unknown decile is not above the cut-off", KANDIDAT_MANDIRI,
         household=HouseholdFacts(id=1, decile=None, joined_year=2018),
         checks={"decile_above_cutoff": (False, {"decile": None})},
         texts={"decile_above_cutoff": "DTSEN decile not known; eligible up to decile 4."}),
    Case("decile exactly at the cut-off is still eligible", KANDIDAT_MANDIRI,
         household=HouseholdFacts(id=1, decile=4, joined_year=2018), checks={"decile_above_cutoff": False}),
    Case("assessment exactly 12 months old is still valid", KANDIDAT_MANDIRI,
         assessment=assessed(assessed_on=date(2025, 12, 31)),
         checks={"assessment_recent": (True, {"months": 12, "max_months": 12})}),
    Case("assessment 12 months and a day old is too old", BELUM,
         assessment=assessed(assessed_on=date(2025, 12, 30)), checks={"assessment_recent": (False, {"months": 12})}),
    Case("assessment 13 months old is too old", BELUM,
         assessment=assessed(assessed_on=date(2025, 11, 30)),
         checks={"assessment_recent": (False, {"months": 13, "date": "2025-11-30"})}, score=None,
         texts={"assessment_recent": "The latest assessment (30 November 2025) is 13 months old, more than 12: "
                                     "record a new one."}),
    Case("income per person exactly 1.5 × the poverty line", KANDIDAT_MANDIRI,
         assessment=assessed(income_work=4_000_000, income_transfers=1_100_000),
         checks={"income_per_capita": (True, {"per_capita": 1_275_000, "needed": 1_275_000, "shortfall": 0,
                                              "total": 5_100_000})}),
    Case("income per person Rp1 below 1.5 × the poverty line", BELUM,
         assessment=assessed(income_work=5_099_996),
         checks={"income_per_capita": (False, {"per_capita": 1_274_999, "shortfall": 1}),
                 "business_running": (False, {"source": None}), "score": True},
         texts={"income_per_capita": "Income per person Rp1.274.999 a month (Rp5.099.996 for 4 people); needed "
                                     "Rp1.275.000 (1,5 × the poverty line Rp850.000): Rp1 short.",
                "business_running": "No business recorded (a business running at least 6 months with a positive "
                                    "net income would also be enough)."}),
    Case("no poverty line entered and no business", BELUM, poverty_line=None,
         checks={"income_per_capita": (False, {"poverty_line": None, "per_capita": 1_500_000})},
         texts={"income_per_capita": "Income per person Rp1.500.000 a month (Rp6.000.000 for 4 people); the "
                                     "regional poverty line for this year is not entered, so it cannot be compared."}),
    Case("no poverty line entered, but a business that runs is enough", KANDIDAT_MANDIRI, poverty_line=None,
         businesses=(business(8, 600_000),),
         checks={"income_per_capita": False, "business_running": (True, {"months": 8, "net": 600_000})}),
    Case("low income, a business of exactly 6 months with positive net income", KANDIDAT_MANDIRI,
         assessment=assessed(income_work=2_000_000), businesses=(business(6, 400_000),),
         checks={"income_per_capita": (False, {"shortfall": 775_000}),
                 "business_running": (True, {"source": "records", "name": "Warung Bu Sari", "months": 6,
                                             "net": 400_000})},
         texts={"business_running": "Warung Bu Sari has run 6 months (at least 6) with an average net income of "
                                    "Rp400.000 a month."}),
    Case("low income, a business of 5 months: not yet", BELUM,
         assessment=assessed(income_work=2_000_000), businesses=(business(5, 400_000),),
         checks={"business_running": (False, {"months": 5})},
         texts={"business_running": "Warung Bu Sari has run 5 months: 1 more to reach 6 (average net income "
                                    "Rp400.000)."}),
    Case("low income, a business without net income", BELUM,
         assessment=assessed(income_work=2_000_000), businesses=(business(12, 0),),
         checks={"business_running": (False, {"net": 0})}),
    Case("low income, a business losing money (recent months count)", BELUM,
         assessment=assessed(income_work=2_000_000), businesses=(business(12, -150_000, average=200_000),),
         checks={"business_running": (False, {"net": -150_000, "months": 12})},
         texts={"business_running": "Warung Bu Sari has run 12 months but its average net income is -Rp150.000: "
                                    "it must be positive."}),
    Case("business from the assessment when none is recorded", KANDIDAT_MANDIRI,
         assessment=assessed(income_work=2_000_000, business_months=9, business_net_income=700_000),
         checks={"business_running": (True, {"source": "assessment", "months": 9, "net": 700_000})}),
    Case("a recorded business takes precedence over the assessment's", BELUM,
         assessment=assessed(income_work=2_000_000, business_months=24, business_net_income=700_000),
         businesses=(business(3, 500_000),),
         checks={"business_running": (False, {"source": "records", "months": 3})}),
    Case("a stopped business does not count", BELUM,
         assessment=assessed(income_work=2_000_000), businesses=(business(24, 900_000, stopped=True),),
         checks={"business_running": (False, {"source": None})}),
    Case("the best of several businesses is used", KANDIDAT_MANDIRI,
         assessment=assessed(income_work=2_000_000),
         businesses=(business(30, -10_000, name="Ojek"), business(7, 250_000, name="Kue basah")),
         checks={"business_running": (True, {"name": "Kue basah", "months": 7})}),
    Case("an out-of-school child in the registry", BELUM,
         members=family() + [person("Rina", date(2014, 2, 1))],
         checks={"children_in_school": (False, {"registry_out_of_school": ["Rina"], "in_school": 2})},
         texts={"children_in_school": "Out of school according to the registry: Rina."}),
    Case("the assessment counts a child out of school", BELUM,
         assessment=assessed(children_in_school=1),
         checks={"children_in_school": (False, {"children": 2, "in_school": 1})},
         texts={"children_in_school": "1 of 2 children aged 7–18 are in school: 1 not."}),
    Case("housing low", BELUM,
         assessment=assessed(floor="earth", walls="bamboo", roof="zinc", toilet="shared", water="well"),
         checks={"housing": (False, {"score": 3, "level": "low", "min_level": "medium"})},
         texts={"housing": "Housing score 3 of 10 (low): medium is needed (floor, walls, roof, toilet, drinking "
                           "water)."}),
    Case("housing medium (4 points) is enough", KANDIDAT_MANDIRI,
         assessment=assessed(floor="earth", walls="bamboo", roof="zinc", toilet="shared", water="piped"),
         checks={"housing": (True, {"score": 4, "level": "medium"})}),
    Case("score exactly at the threshold", KANDIDAT_MANDIRI,
         assessment=assessed(jkn="some", has_smartphone=False),
         checks={"assets": (False, {"count": 2}), "jkn": False,
                 "score": (True, {"score": 60, "threshold": 60, "missing": ["assets", "jkn"]})}, score=60),
    Case("score below the threshold", BELUM,
         assessment=assessed(jkn="none", has_smartphone=False, savings_amount=0),
         checks={"savings": (False, {"amount": 0}),
                 "score": (False, {"score": 40, "missing": ["assets", "savings", "jkn"]})}, score=40,
         texts={"score": "Score 40 of 100: 20 short of the 60 needed.",
                "jkn": "No member has JKN health insurance; all are needed for +20."}),
    Case("P2K2 attendance of 74.6% does not round up to 75%", KANDIDAT_MANDIRI, p2k2=(44, 59),
         checks={"p2k2_attendance": (False, {"percent": 74, "present": 44, "meetings": 59})}, score=80),
    Case("no P2K2 meeting recorded", KANDIDAT_MANDIRI, p2k2=None,
         checks={"p2k2_attendance": (False, {"meetings": 0, "percent": None})}, score=80),
    Case("savings of 0.95 months of spending are not one month", KANDIDAT_MANDIRI,
         assessment=assessed(savings_amount=2_375_000),
         checks={"savings": (False, {"months": 0.9})}, score=80),
    Case("4 years in the program give no weight", KANDIDAT_MANDIRI,
         household=HouseholdFacts(id=1, decile=3, joined_year=2022),
         checks={"years_in_program": (False, {"years": 4, "min": 5})}, score=80),
    Case("the family has not said it wants to leave: still a candidate, with a note", KANDIDAT_MANDIRI,
         assessment=assessed(wants_to_graduate=False), checks={"wants_to_graduate": (None, {"wants": False})}),

    # --- other rules (configurable, versioned) --------------------------------------------------
    Case("version 7: decile 5 eligible, income 2 ×, assessment valid 24 months", BELUM,
         household=HouseholdFacts(id=1, decile=5, joined_year=2018),
         assessment=assessed(assessed_on=date(2025, 11, 30)),
         rules=RuleSet(version=7, max_eligible_decile=6, income_multiple=Decimal("2"), assessment_max_age_months=24),
         checks={"decile_above_cutoff": (False, {"max_decile": 6}),
                 "assessment_recent": (True, {"months": 13, "max_months": 24}),
                 "income_per_capita": (False, {"needed": 1_700_000, "shortfall": 200_000, "multiple": "2"})}),
    Case("version 8: a 12-month horizon sees the child turning 7 in 8 months", ALAMIAH_SEGERA,
         members=parents() + [person("Adik", date(2020, 9, 1))],
         rules=RuleSet(version=8, horizon_months=12),
         checks={"no_components_at_horizon": (True, {"date": "2027-12-31", "months": 12})}),
    Case("high housing required: medium is not enough", BELUM,
         assessment=assessed(floor="wood", walls="wood", roof="zinc", toilet="own", water="well"),
         rules=RuleSet(version=9, min_housing_level="high"),
         checks={"housing": (False, {"score": 6, "level": "medium", "min_level": "high"})}),
    Case("1.25 × a line of Rp850,001 is Rp1,062,501.25: Rp1,062,501 is still Rp1 short", BELUM,
         poverty_line=850_001, assessment=assessed(household_size=1, income_work=1_062_501),
         rules=RuleSet(version=10, income_multiple=Decimal("1.25")),
         checks={"income_per_capita": (False, {"needed": 1_062_502, "shortfall": 1})}),
    Case("custom threshold 61: a score of 60 is 1 short", BELUM,
         assessment=assessed(jkn="some", has_smartphone=False), rules=RuleSet(version=11, score_threshold=61),
         checks={"score": (False, {"score": 60, "threshold": 61})}, score=60,
         texts={"score": "Score 60 of 100: 1 short of the 61 needed."}),
    Case("custom weights: years in the program weigh 60", KANDIDAT_MANDIRI,
         assessment=assessed(jkn="none", has_smartphone=False, savings_amount=0), p2k2=None,
         rules=RuleSet(version=12, weight_years=60),
         checks={"score": (True, {"score": 60, "max": 140})}, score=60),
    Case("custom P2K2 minimum of 90%", KANDIDAT_MANDIRI, rules=RuleSet(version=13, min_p2k2_percent=90),
         checks={"p2k2_attendance": (False, {"percent": 75, "min": 90})}, score=80),
]


def classify(case: Case):
    rules_for = year_rules
    if case.indexes:
        def rules_for(day):
            return YearRules(year=day.year, indexes=case.indexes)
    return classifier.classify(
        household=case.household, members=case.members, as_of=D, rules=case.rules, year_rules=rules_for(D),
        horizon_year_rules=rules_for(add_months(D, case.rules.horizon_months)), assessment=case.assessment,
        businesses=case.businesses, p2k2=case.p2k2, poverty_line=case.poverty_line,
    )


def test_there_are_at_least_forty_households():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_classification_and_reasons(case):
    result = classify(case)
    assert result.classification == case.expected
    assert result.rules_version == case.rules.version
    assert result.as_of == D
    checks = {c.key: c for c in result.checks}
    for key, expected in case.checks.items():
        assert key in checks, f"{key} was not checked: {list(checks)}"
        passed, data = expected if isinstance(expected, tuple) else (expected, {})
        assert checks[key].passed is passed, f"{key}: {checks[key]}"
        for name, value in data.items():
            assert checks[key].data[name] == value, f"{key}.{name}: {checks[key].data}"
    if case.components is not None:
        assert result.components == case.components
    if case.annual is not None:
        assert result.annual_entitlement == case.annual
    if case.score != "not asserted":
        assert result.score == case.score
    for key, text in case.texts.items():
        assert describe(checks[key]) == text
    # Every check has words, and its data survives the round trip through the stored JSON.
    for check in result.checks:
        assert describe(check) and describe(check) != check.key
        assert classifier.Check.from_json(check.as_json()) == check


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_first_class_that_applies_wins_and_the_checks_stop_there(case):
    result = classify(case)
    keys = [c.key for c in result.checks]
    assert keys[:2] == ["no_components", "decile_above_cutoff"]
    if result.classification == ALAMIAH:
        assert keys == ["no_components", "decile_above_cutoff"]
    elif result.classification == ALAMIAH_SEGERA:
        assert keys[-1] == "no_components_at_horizon"
    else:
        assert "no_components_at_horizon" in keys and "assessment_recent" in keys


def test_a_candidate_has_nothing_missing_and_not_yet_says_what_is_missing():
    candidate = classify(next(c for c in CASES if c.name == "every criterion met"))
    assert candidate.failed() == []
    low_income = classify(next(c for c in CASES if c.name == "income per person Rp1 below 1.5 × the poverty line"))
    assert [c.key for c in low_income.failed()] == ["income_per_capita", "business_running"]
    # Income and business are alternatives: a business that runs means income is not "missing".
    business_only = classify(next(c for c in CASES if c.name.startswith("low income, a business of exactly 6")))
    assert business_only.failed() == []
    many = classify(replace(next(c for c in CASES if c.name == "score below the threshold"),
                            assessment=assessed(jkn="none", has_smartphone=False, savings_amount=0,
                                                floor="earth", walls="bamboo", roof="thatch", toilet="none",
                                                water="well", children_in_school=1)))
    assert [c.key for c in many.failed()] == ["children_in_school", "housing", "score"]
    soon = classify(next(c for c in CASES if c.expected == ALAMIAH_SEGERA))
    assert soon.failed() == []


def test_rules_come_from_the_stored_version():
    stored = SimpleNamespace(**{name: getattr(RuleSet(), name) for name in RuleSet.__dataclass_fields__})
    stored.version, stored.score_threshold, stored.income_multiple = 4, 80, Decimal("1.75")
    rules = RuleSet.from_model(stored)
    assert (rules.version, rules.score_threshold, rules.income_multiple, rules.max_score) == (4, 80, Decimal("1.75"), 100)


@pytest.mark.parametrize("first, last, months", [
    (date(2025, 12, 31), date(2026, 12, 31), 12),
    (date(2025, 12, 30), date(2026, 12, 31), 12),
    (date(2026, 1, 15), date(2026, 7, 14), 5),
    (date(2026, 1, 15), date(2026, 7, 15), 6),
])
def test_months_are_counted_like_an_age(first, last, months):
    assert months_between(first, last) == months


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 12, 31), 6, date(2027, 6, 30)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2027, 2, 28), -12, date(2026, 2, 28)),
])
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("points, level", [(0, "low"), (3, "low"), (4, "medium"), (7, "medium"), (8, "high"), (10, "high")])
def test_housing_levels(points, level):
    assert classifier.housing_level(points) == level


def test_reasons_in_indonesian_use_indonesian_dates():
    from django.utils import translation

    result = classify(next(c for c in CASES if c.name.startswith("7th birthday the day after D")))
    with translation.override("id"):
        text = describe(result.checks[-1])
    assert "30 Juni 2027" in text and "ANAK_USIA_DINI (Adik)" in text
