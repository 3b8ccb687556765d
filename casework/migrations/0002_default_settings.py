from django.db import migrations


def seed(apps, schema_editor):
    CaseworkSettings = apps.get_model("casework", "CaseworkSettings")
    if not CaseworkSettings.objects.exists():
        CaseworkSettings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
