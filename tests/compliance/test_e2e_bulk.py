"""A facilitator records a school's register on a phone, in real headless Chromium (tests/e2e: skips,
saying why, where Chromium or playwright is missing). A JavaScript error or a Content-Security-Policy
violation fails the test. Selectors, not texts: the page speaks Indonesian."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from compliance import verification as v
from compliance.models import CommitmentRecord, Facility, FacilityLink, HouseholdResult
from compliance.periods import Period
from tests.compliance.conftest import pupils
from tests.browser import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_recording_a_schools_register_on_a_phone(phone, live_server, world):
    period = Period.of(timezone.localdate())
    school = Facility.objects.create(name="SDN Pisangan Baru 01", kind="school", kelurahan=world.household.kelurahan)
    boy, girl = pupils(world.household)
    FacilityLink.objects.create(member=boy, commitment=v.EDUCATION, facility=school)
    sign_in(phone, live_server, world.facilitator.username)
    query = urlencode({"period": period.key, "kelurahan": world.household.kelurahan_id, "commitment": v.EDUCATION,
                       "facility": school.pk})
    phone.goto(f"{live_server.url}{reverse('compliance_bulk')}?{query}")
    phone.wait_for_selector("form[data-unsaved-warning]")

    # The girl is not linked to the school yet: typing her attendance ticks "goes to this school".
    girl_box = f"#id_m{girl.pk}-education-link"
    assert not phone.is_checked(girl_box)
    phone.fill(f"#id_m{boy.pk}-education-attendance_percent", "92")
    phone.fill(f"#id_m{girl.pk}-education-attendance_percent", "70")
    assert phone.is_checked(girl_box)
    screenshot(phone, "compliance-bulk-phone")

    phone.click("form[data-unsaved-warning] button[type=submit]")
    phone.wait_for_selector(".alert-success")
    assert CommitmentRecord.objects.filter(period=period.code).count() == 2
    assert FacilityLink.objects.get(member=girl).facility == school
    assert HouseholdResult.objects.get(household=world.household, period=period.code).status == "non_compliant"
    assert phone.input_value(f"#id_m{girl.pk}-education-attendance_percent") == "70.0"
