"""The house rules of tests/test_code_rules.py, applied to this app and its own household-linked models."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
HOUSEHOLD_LINKED = ("Household", "Member", "Assignment", "HouseholdStatusChange", "KKSCustody", "FamilyCardChange",
                    "CommitmentRecord", "FacilityLink", "HouseholdResult", "SuspensionProposal")
READ_MODULES = ("views.py", "forms.py", "tasks.py", "admin.py", "selectors.py", "panels.py")


@pytest.mark.parametrize("name", READ_MODULES)
def test_household_linked_rows_are_read_through_org_access(name):
    text = (ROOT / "compliance" / name).read_text()
    # The one allowed form: the whole table handed straight to the scoping function.
    text = re.sub(r"access\.scoped\(\s*\w+,\s*\w+\.objects\.all\(\)", "", text)
    offending = [m for m in HOUSEHOLD_LINKED if re.search(rf"\b{m}\.objects\b", text)]
    assert not offending, f"compliance/{name} reads {offending} via .objects; use org.access"


def test_rules_live_in_services_and_selectors_not_in_signals_or_save():
    for path in (ROOT / "compliance").glob("**/*.py"):
        text = path.read_text()
        assert "post_save" not in text and "pre_save" not in text, path
        if path.name == "models.py":
            assert "def save(" not in text
