"""Version 1 of the graduation rules: the defaults of the issue that introduced graduation (editable by
administrators; an edit saves a new version)."""

from datetime import date

from django.db import migrations


def create(apps, schema_editor):
    GraduationRules = apps.get_model("graduation", "GraduationRules")
    if not GraduationRules.objects.exists():
        GraduationRules.objects.create(
            version=1, valid_from=date(2020, 1, 1),
            note="Defaults: decile ≤ 4 eligible, 6-month horizon, assessment valid 12 months, income ≥ 1.5 × "
                 "poverty line or a business ≥ 6 months with positive net income, housing at least medium, "
                 "score ≥ 60 of 100",
        )


class Migration(migrations.Migration):
    dependencies = [("graduation", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
