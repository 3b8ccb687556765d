"""Livelihood URLs: businesses with their monthly figures, credit referrals, KUBE."""

from datetime import date


def _business(world, household):
    from livelihood.models import Business

    return Business.objects.create(household=household, kind="warung", name="Warung", started_on=date(2024, 1, 15))


def _entry(world, household):
    from livelihood.models import MonthlyEntry

    return MonthlyEntry.objects.create(business=_business(world, household), month=date(2024, 3, 1),
                                       revenue=1_000_000, expenses=400_000)


def _referral(world, household):
    from livelihood.models import CreditProgram, CreditReferral

    program, _ = CreditProgram.objects.get_or_create(name="Jakpreneur", defaults={"min_months_running": 6})
    return CreditReferral.objects.create(business=_business(world, household), program=program, status="referred",
                                         status_since=date(2024, 9, 1), referred_on=date(2024, 9, 1),
                                         months_running_at_referral=7)


def _kube(world, household):
    """A KUBE in the household's kelurahan, run by its facilitator: in scope exactly when the household is."""
    from livelihood.models import Kube, KubeMembership

    kube = Kube.objects.create(name="KUBE Maju", kelurahan=household.kelurahan, facilitator=household.facilitator,
                               formed_on=date(2023, 6, 1))
    KubeMembership.objects.create(kube=kube, household=household, joined_on=date(2023, 6, 1))
    return kube


def _membership(world, household):
    return _kube(world, household).memberships.get()


HOUSEHOLD_URLS = {
    "livelihood_household": ("get", "read"),
    "livelihood_business_create": ("get", "write"),
}

OBJECT_URLS = {
    "livelihood_business_detail": ("get", "read", _business),
    "livelihood_business_edit": ("get", "write", _business),
    "livelihood_business_stop": ("get", "write", _business),
    "livelihood_entry_create": ("post", "write", _business),
    "livelihood_entry_edit": ("get", "write", _entry),
    "livelihood_referral_create": ("get", "write", _business),
    "livelihood_referral_update": ("get", "write", _referral),
    "livelihood_kube_detail": ("get", "read", _kube),
    "livelihood_kube_edit": ("get", "write", _kube),
    "livelihood_kube_member_add": ("get", "write", _kube),
    "livelihood_kube_business_create": ("get", "write", _kube),
    "livelihood_kube_member_leave": ("post", "write", _membership),
}

PAGE_URLS = {
    "livelihood_overview": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "livelihood_referral_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "livelihood_kube_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "livelihood_kube_create": {"facilitator": 200, "coordinator": 200, "auditor": 403, "admin": 200},
}
