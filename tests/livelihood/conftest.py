"""Factories and fixtures of the livelihood tests."""

from datetime import date

import factory
import pytest

from livelihood.models import Business, CreditProgram, CreditReferral, Kube, KubeMembership, MonthlyEntry, ReferralStep


class CreditProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditProgram
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Program {n}")
    min_months_running = 6
    max_loan_amount = 10_000_000
    interest_rate = "6.00"
    requires_training = False


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    household = None
    kube = None
    kind = Business.Kind.WARUNG
    name = factory.Sequence(lambda n: f"Warung {n}")
    started_on = date(2024, 1, 15)


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyEntry

    business = factory.SubFactory(BusinessFactory)
    month = date(2024, 2, 1)
    revenue = 2_000_000
    expenses = 1_500_000


class KubeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kube

    name = factory.Sequence(lambda n: f"KUBE Maju {n}")
    formed_on = date(2023, 6, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KubeMembership

    joined_on = date(2023, 6, 1)


def make_referral(business, program, *, status=CreditReferral.Status.REFERRED, on=date(2024, 9, 1)):
    referral = CreditReferral.objects.create(business=business, program=program, status=status, status_since=on,
                                             referred_on=on, months_running_at_referral=7)
    ReferralStep.objects.create(referral=referral, status=status, on=on)
    return referral


def kube_of(household, **fields):
    """A KUBE in the household's kelurahan, with the household's facilitator, the household as a member."""
    kube = KubeFactory(kelurahan=household.kelurahan, facilitator=household.facilitator, **fields)
    MembershipFactory(kube=kube, household=household)
    return kube


@pytest.fixture
def jakpreneur(db):
    """The seeded program (data migration), as the seed article describes it."""
    return CreditProgram.objects.get(name="Jakpreneur")


@pytest.fixture
def warung(world):
    return BusinessFactory(household=world.household, name="Warung Bu Sari", started_on=date(2024, 1, 15))


@pytest.fixture
def only_livelihood_parts():
    """The household page and the day page with only this app's panel and section: other apps' parts (some
    still being built) are tested by their own tests, and query counts here measure ours."""
    from core import extensions

    saved = list(extensions.HOUSEHOLD_PANELS), list(extensions.DAY_SECTIONS)
    extensions.HOUSEHOLD_PANELS[:] = [p for p in saved[0] if p.key == "livelihood"]
    extensions.DAY_SECTIONS[:] = [p for p in saved[1] if p.key.startswith("livelihood")]
    yield
    extensions.HOUSEHOLD_PANELS[:], extensions.DAY_SECTIONS[:] = saved
