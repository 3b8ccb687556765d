"""Mediation URLs: the case list, opening a case from a family's page, the case page and its actions."""

from datetime import timedelta

from django.utils import timezone

PAGE_URLS = {
    "case_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}

HOUSEHOLD_URLS = {
    "case_open": ("get", "write"),
}


def _case(world, household):
    from mediation.models import Case

    return Case.objects.create(household=household, category="SALDO_NOL", title="Saldo nol tahap 2",
                               due_date=timezone.localdate() + timedelta(days=14), opened_by=world.coordinator)


def _referral(world, household):
    from mediation.models import Referral

    case = _case(world, household)
    return Referral.objects.create(case=case, kind="bank", partner_name="BRI Unit Jatinegara",
                                   referred_on=timezone.localdate(), created_by=world.coordinator)


OBJECT_URLS = {
    "case_detail": ("get", "read", _case),
    "case_edit": ("get", "write", _case),
    "case_transition": ("post", "write", _case),
    "case_note": ("post", "write", _case),
    "case_due_date": ("post", "write", _case),
    "referral_create": ("post", "write", _case),
    "referral_outcome": ("post", "write", _referral),
}
