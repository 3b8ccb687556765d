"""The verification thresholds of domain.md ("Commitment verification"), as data an administrator
can change by adding rules with a later `valid_from`: school attendance at least 85%, at least 4
antenatal check-ups over a pregnancy (and one in each period while pregnant), a posyandu visit
every month for early childhood, an activity for the elderly and the severely disabled; 2 periods
in a row not compliant lead to a suspension proposal."""

from datetime import date

from django.db import migrations


def seed(apps, schema_editor):
    VerificationRules = apps.get_model("compliance", "VerificationRules")
    VerificationRules.objects.get_or_create(valid_from=date(2007, 1, 1), defaults={
        "min_attendance_percent": 85, "min_antenatal_checkups": 4, "min_antenatal_checkups_per_period": 1,
        "pregnancy_weeks": 40, "consecutive_periods_for_suspension": 2,
        "note": "domain.md: attendance ≥ 85%, ≥ 4 antenatal check-ups, monthly posyandu; 2 periods → suspension",
    })


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
