"""Cases for the mediation tests: opened through the service, as a user would."""

import pytest

from mediation import services


@pytest.fixture
def open_case(world):
    """`open_case(household=..., actor=..., **fields)`: a case opened by the household's facilitator by default."""

    def make(household=None, actor=None, **fields):
        household = household or world.household
        actor = actor or household.facilitator or world.coordinator
        fields.setdefault("category", "SALDO_NOL")
        fields.setdefault("title", "Saldo nol di tahap 2")
        return services.case_open(actor=actor, household=household, **fields)

    return make


@pytest.fixture
def child_case(world, open_case):
    """A child-protection case of the facilitator's family, about its youngest child."""
    child = world.household.members.order_by("-birth_date").first()
    return open_case(category="PERLINDUNGAN_ANAK", title="Dugaan kekerasan di rumah tetangga",
                     description="Anak bercerita kepada guru tentang pukulan.", member=child)
