"""The benefit index and thresholds of domain.md, as data an administrator can change.

2019: the older index and a fixed amount per family (550,000; remote areas 1,000,000 are not
modelled). 2020 onwards: the current index (used for later years until new rows are entered).
2020 paid monthly; other years use the default four stages.
"""

from django.db import migrations

INDEX_2019 = {
    "HAMIL": 2_400_000, "ANAK_USIA_DINI": 2_400_000, "SD": 900_000, "SMP": 1_500_000, "SMA": 2_000_000,
    "DISABILITAS_BERAT": 2_400_000, "LANSIA": 2_400_000,
}
INDEX_2020 = {
    "HAMIL": 3_000_000, "ANAK_USIA_DINI": 3_000_000, "SD": 900_000, "SMP": 1_500_000, "SMA": 2_000_000,
    "DISABILITAS_BERAT": 2_400_000, "LANSIA": 2_400_000,
}


def seed(apps, schema_editor):
    BenefitYear = apps.get_model("beneficiaries", "BenefitYear")
    ComponentIndex = apps.get_model("beneficiaries", "ComponentIndex")
    DisbursementStage = apps.get_model("beneficiaries", "DisbursementStage")
    for year, index, family_amount, note in (
        (2019, INDEX_2019, 550_000, "Indeks 2019 (domain.md); fixed amount per family 550,000"),
        (2020, INDEX_2020, 0, "Indeks 2020–2024, assumed for 2025–2026 (domain.md)"),
    ):
        benefit_year, _ = BenefitYear.objects.get_or_create(year=year, defaults={"family_amount": family_amount, "note": note})
        for component, amount in index.items():
            ComponentIndex.objects.get_or_create(benefit_year=benefit_year, component=component, defaults={"amount": amount})
    for month in range(1, 13):
        DisbursementStage.objects.get_or_create(year=2020, number=month, defaults={"first_month": month, "last_month": month})


class Migration(migrations.Migration):
    dependencies = [("beneficiaries", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
