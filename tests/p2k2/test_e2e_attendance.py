"""A facilitator records a P2K2 meeting's attendance on a 360-px phone: one tap per family, one save.

Runs in headless Chromium like tests/e2e (skips, saying why, where Chromium or playwright is missing);
a JavaScript error or a Content-Security-Policy violation fails the test.
"""

import pytest

from p2k2.models import Attendance
from tests.conftest import make_family
from tests.browser import SCREENSHOTS, SMALL_PHONE, screenshot, sign_in
from tests.p2k2.conftest import add_families, held_meeting, make_group, make_meeting

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("phone", [{"viewport": SMALL_PHONE}], indirect=True)
def test_recording_attendance_on_a_phone(phone, live_server, world):
    group = make_group(world.facilitator, world.household.kelurahan, households=[world.household])
    absent, excused = add_families(group, 2)
    meeting = make_meeting(group, days_ago=0)
    sign_in(phone, live_server, world.facilitator.username)
    phone.goto(f"{live_server.url}/p2k2/meetings/{meeting.pk}/")
    phone.wait_for_selector("form[data-attendance-form]")

    # Everyone starts present; reason boxes stay out of the way until a family is excused.
    assert phone.inner_text("[data-count=present]") == "3"
    assert phone.is_hidden(f"#reason-{excused.pk}")
    phone.click(f"label[for=status-{absent.pk}-absent]")
    phone.click(f"label[for=status-{excused.pk}-excused]")
    assert phone.is_visible(f"#reason-{excused.pk}")
    assert (phone.inner_text("[data-count=present]"), phone.inner_text("[data-count=absent]"),
            phone.inner_text("[data-count=excused]")) == ("1", "1", "1")
    screenshot(phone, "p2k2-attendance-phone")

    # Saving without the reason keeps the choices and marks the row.
    phone.click("form[data-attendance-form] button[type=submit]")
    phone.wait_for_selector(f"#reason-{excused.pk}.is-invalid")
    assert phone.is_checked(f"#status-{absent.pk}-absent")
    screenshot(phone, "p2k2-attendance-phone-error")
    phone.fill(f"#reason-{excused.pk}", "Bekerja shift pagi")
    phone.click("form[data-attendance-form] button[type=submit]")
    phone.wait_for_selector(".alert-success")
    assert dict(Attendance.objects.values_list("household_id", "status")) == {
        world.household.pk: "present", absent.pk: "absent", excused.pk: "excused"}

    # The group page shows the progress matrix; the page must not scroll sideways on the phone.
    held_meeting(group, {world.household: "present", absent: "present", excused: "absent"}, number=2)
    phone.goto(f"{live_server.url}/p2k2/groups/{group.pk}/")
    phone.wait_for_selector("#progress-title")
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    screenshot(phone, "p2k2-group-phone")
    phone.goto(f"{live_server.url}/households/{world.household.pk}/")
    phone.wait_for_selector("#p2k2-panel-title")
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    phone.locator("section[aria-labelledby=p2k2-panel-title]").screenshot(path=str(SCREENSHOTS / "p2k2-household-panel-phone.png"))
    make_meeting(group, days_ago=-2, number=3)
    make_meeting(group, days_ago=3, number=4)
    phone.goto(f"{live_server.url}/today/")
    phone.wait_for_selector("#p2k2-day-title")
    phone.locator("section[aria-labelledby=p2k2-day-title]").screenshot(path=str(SCREENSHOTS / "p2k2-day-section-phone.png"))
    make_family(facilitator=world.facilitator)
    phone.goto(f"{live_server.url}/p2k2/groups/{group.pk}/members/")
    phone.check("input[data-select-all=households]")
    assert phone.inner_text("[data-selected-count=households]") == "1"
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    screenshot(phone, "p2k2-members-phone")
    phone.goto(f"{live_server.url}/p2k2/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    screenshot(phone, "p2k2-groups-phone")
    phone.goto(f"{live_server.url}/p2k2/attendance/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    screenshot(phone, "p2k2-attendance-analysis-phone")
