"""Seed the days until a new case is due, per category (editable afterwards in the admin).

Our assumptions, no public rule: child protection is urgent (3 days); health access a week; money
problems (zero balance, KKS card) and a child out of school two weeks, before the next stage or the
school month is lost; address, components and other programs need the registry update (30 days).
"""

from django.db import migrations

DEFAULT_DUE_DAYS = {
    "SALDO_NOL": 14,
    "KKS": 14,
    "PINDAH": 30,
    "KOMPONEN": 30,
    "PENDIDIKAN": 14,
    "KESEHATAN": 7,
    "PERLINDUNGAN_ANAK": 3,
    "KOMPLEMENTARITAS": 30,
    "LAINNYA": 14,
}


def seed(apps, schema_editor):
    CategoryRule = apps.get_model("mediation", "CategoryRule")
    for category, days in DEFAULT_DUE_DAYS.items():
        CategoryRule.objects.get_or_create(category=category, defaults={"default_due_days": days})


def unseed(apps, schema_editor):
    apps.get_model("mediation", "CategoryRule").objects.filter(category__in=DEFAULT_DUE_DAYS).delete()


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
