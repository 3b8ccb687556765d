"""The caseload norm of domain.md: 200–250 families per facilitator."""

import datetime

from django.db import migrations


def seed(apps, schema_editor):
    CaseloadNorm = apps.get_model("org", "CaseloadNorm")
    CaseloadNorm.objects.get_or_create(
        valid_from=datetime.date(2018, 1, 1),
        defaults={"minimum": 200, "maximum": 250, "note": "Norma pendampingan 200–250 KPM per pendamping"},
    )


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
