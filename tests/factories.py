"""factory_boy factories: the smallest valid objects, overridden per test."""

import itertools
from datetime import date

import factory

from beneficiaries.models import Assignment, Household, Member
from org.models import FacilitatorProfile, Region, User

_nik_serial = itertools.count(1)
_kk_serial = itertools.count(1)


def region(code: str, name: str | None = None) -> Region:
    """Get or create a region and its parents from a dotted code."""
    parts = code.split(".")
    parent = None
    for depth in range(1, len(parts) + 1):
        sub = ".".join(parts[:depth])
        parent, _ = Region.objects.get_or_create(
            code=sub, defaults={"name": name if sub == code and name else f"Wilayah {sub}", "level": depth, "parent": parent}
        )
    return parent


def make_nik(birth_date: date, sex: str, district: str = "317501", serial: int | None = None) -> str:
    """A NIK whose birth-date part agrees with the birth date (women: day + 40)."""
    day = birth_date.day + (40 if sex == "P" else 0)
    serial = next(_nik_serial) if serial is None else serial
    return f"{district}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial % 10000:04d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Nama{n}")
    role = User.Role.FACILITATOR
    password = factory.django.Password("pkh-test-pass-2026")

    @factory.post_generation
    def cities(self, create, extracted, **kwargs):
        if create and extracted:
            self.cities.set(extracted)


class FacilitatorFactory(UserFactory):
    role = User.Role.FACILITATOR

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        if create:
            profile = FacilitatorProfile.objects.create(user=self, **kwargs)
            if extracted:
                profile.kelurahan.set(extracted)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    id_kpm = factory.Sequence(lambda n: f"KPM{n:08d}")
    no_kk = factory.LazyFunction(lambda: f"3175{next(_kk_serial):012d}")
    kelurahan = factory.LazyFunction(lambda: region("31.75.01.1001"))
    address = "Jl. Contoh No. 1"
    bank = "BRI"
    kks_number = factory.Sequence(lambda n: f"60130{n:011d}")
    joined_year = 2018
    facilitator = None

    @factory.post_generation
    def assigned(self, create, extracted, **kwargs):
        if create and self.facilitator_id:
            Assignment.objects.create(household=self, facilitator=self.facilitator, start_date=date(2018, 1, 1))


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"Anggota {n}")
    sex = "P"
    birth_date = date(1985, 5, 17)
    relationship = Member.Relationship.WIFE
    nik = factory.LazyAttribute(lambda m: make_nik(m.birth_date, m.sex))
