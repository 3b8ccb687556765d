"""The 2018 P2K2 catalogue (5 modules, 14 sessions numbered continuously), the times of day of the
attendance analysis and the default rules. Administrators add modules and sessions (e.g. stunting)
in the admin; this migration never overwrites what is already there."""

import datetime

from django.db import migrations

MODULES = [
    (1, "Pengasuhan dan Pendidikan Anak", "Parenting and education", [
        (1, "Menjadi orang tua yang lebih baik", "Becoming a better parent"),
        (2, "Memahami perkembangan dan perilaku anak", "Understanding children's development and behaviour"),
        (3, "Cara anak usia dini belajar", "How young children learn"),
        (4, "Membantu anak sukses di sekolah", "Helping children succeed at school"),
    ]),
    (2, "Pengelolaan Keuangan dan Perencanaan Usaha", "Finance and business planning", [
        (5, "Mengelola keuangan keluarga", "Managing the family's money"),
        (6, "Cermat meminjam dan menabung", "Borrowing and saving wisely"),
        (7, "Memulai usaha", "Starting a business"),
    ]),
    (3, "Kesehatan dan Gizi", "Health and nutrition", [
        (8, "Gizi dan layanan ibu hamil", "Nutrition and services for pregnant women"),
        (9, "Gizi ibu menyusui dan balita", "Nutrition of breastfeeding mothers and toddlers"),
        (10, "Kesakitan anak dan kesehatan lingkungan", "Childhood illness and environmental health"),
    ]),
    (4, "Perlindungan Anak", "Child protection", [
        (11, "Pencegahan kekerasan dan perlakuan salah terhadap anak", "Preventing violence against and abuse of children"),
        (12, "Penelantaran dan eksploitasi anak", "Child neglect and exploitation"),
    ]),
    (5, "Kesejahteraan Sosial", "Social welfare", [
        (13, "Penyandang disabilitas berat", "People with severe disabilities"),
        (14, "Kesejahteraan lanjut usia", "Welfare of the elderly"),
    ]),
]

# Working hours of the families decide when they can come: pagi, siang, sore, malam.
TIME_BUCKETS = [
    ("Pagi (morning)", datetime.time(5, 0)),
    ("Siang (midday)", datetime.time(11, 0)),
    ("Sore (afternoon)", datetime.time(15, 0)),
    ("Malam (evening)", datetime.time(18, 0)),
]


def seed(apps, schema_editor):
    Module = apps.get_model("p2k2", "Module")
    ModuleSession = apps.get_model("p2k2", "ModuleSession")
    TimeBucket = apps.get_model("p2k2", "TimeBucket")
    P2K2Settings = apps.get_model("p2k2", "P2K2Settings")
    for number, title, title_en, sessions in MODULES:
        module, _ = Module.objects.get_or_create(number=number, defaults={"title": title, "title_en": title_en})
        for session_number, session_title, session_title_en in sessions:
            ModuleSession.objects.get_or_create(
                number=session_number,
                defaults={"module": module, "title": session_title, "title_en": session_title_en},
            )
    if not TimeBucket.objects.exists():
        for name, starts_at in TIME_BUCKETS:
            TimeBucket.objects.create(name=name, starts_at=starts_at)
    if not P2K2Settings.objects.exists():
        P2K2Settings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("p2k2", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
