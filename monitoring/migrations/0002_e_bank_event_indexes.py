"""Fewer indexes on the bank events (helper E, bank-data import): each index costs every imported row. The
single-column ones on city_code and household repeated the first column of composite indexes; no query reads
by ID KPM, (kks_number, occurred_on) or (year, stage, bank): reconciliation and reports read a city's events,
the pages a household's."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="bankevent",
            name="city_code",
            field=models.CharField(blank=True, help_text="The household's city, else the city the file was imported for.",
                                   max_length=5, verbose_name="city"),
        ),
        migrations.AlterField(
            model_name="bankevent",
            name="household",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="bank_events", to="beneficiaries.household", verbose_name="household"),
        ),
        migrations.AlterField(
            model_name="bankevent",
            name="id_kpm",
            field=models.CharField(max_length=40, verbose_name="ID KPM"),
        ),
        migrations.RemoveIndex(model_name="bankevent", name="monitoring__kks_num_a81648_idx"),
        migrations.RemoveIndex(model_name="bankevent", name="monitoring__year_2ddafc_idx"),
    ]
