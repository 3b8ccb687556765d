"""House rules that keep mistakes hard: one scoping module, no inline scripts, no untranslated templates."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCOPED_MODELS = (
    "Household", "Member", "Assignment", "HouseholdStatusChange", "KKSCustody", "FamilyCardChange", "Job",
    "HomeVisit", "Case", "CaseEvent", "Referral", "Group", "GroupMembership", "Meeting", "Attendance",
    "Business", "MonthlyEntry", "CreditReferral", "ReferralStep", "Kube", "KubeMembership", "CommitmentRecord",
    "HouseholdResult",
    "SuspensionProposal", "Facility", "FacilityLink",
)
# Modules that read for users (pages, forms, exports, tasks, admin) must go through org.access.
READ_MODULES = ("views.py", "forms.py", "tasks.py", "admin.py", "selectors.py", "exports.py")


def python_files(names):
    for app in ("core", "org", "beneficiaries", "casework", "p2k2", "mediation", "livelihood", "compliance",
                "graduation", "monitoring", "oversight", "api"):
        for name in names:
            for path in (ROOT / app).glob(f"**/{name}"):
                yield path


@pytest.mark.parametrize("path", list(python_files(READ_MODULES)), ids=lambda p: str(p.relative_to(ROOT)))
def test_scoped_models_are_not_read_through_objects_outside_the_access_module(path):
    text = path.read_text()
    offending = [m for m in SCOPED_MODELS if re.search(rf"\b{m}\.objects\b", text)]
    if path.name == "selectors.py":
        # Selectors may read related rows of households they already scoped through org.access.
        offending = [m for m in offending if m in {"Household", "Job"}]
    assert not offending, f"{path.relative_to(ROOT)} reads {offending} via .objects; use org.access"


TEMPLATES = sorted((ROOT / "templates").glob("**/*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_scripts_or_styles(path):
    text = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script> breaks the Content-Security-Policy"
    assert not re.search(r"\son[a-z]+=", text), "inline event handlers break the Content-Security-Policy"
    assert 'style="' not in text, "inline style attributes break the Content-Security-Policy"


def test_no_cdn_assets():
    for path in TEMPLATES:
        assert not re.search(r"(src|href)=\"https?://", path.read_text()), path


def test_the_indonesian_catalogue_is_compiled_and_complete():
    po = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert po.exists() and mo.exists(), "run `make messages`"
    text = po.read_text()
    untranslated = re.findall(r'msgid "(.+)"\nmsgstr ""\n\n', text)
    assert not untranslated, f"untranslated: {untranslated[:5]}"
    assert "#, fuzzy" not in text.split("\n\n", 1)[1], "fuzzy entries are not used by gettext"


def test_ruff_finds_no_undefined_names_or_unused_imports():
    import subprocess
    import sys

    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed in this environment")
    result = subprocess.run([str(ruff), "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    """A model change without a migration would reach production as a schema the code does not expect."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail(f"missing migrations:\n{out.getvalue()}")
