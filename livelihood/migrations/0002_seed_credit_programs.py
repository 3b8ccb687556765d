"""The entrepreneurship/credit programs families are referred to, as data an administrator can change.

Jakpreneur: the seed article (domain.md) — DKI Jakarta's program of training, market access and loans up
to Rp10,000,000 at 6%/year for businesses running at least 6 months; training comes first.
KUR Mikro: the government's people's business credit (Kredit Usaha Rakyat) through the banks; public
terms as commonly published (6%/year for a first loan, business running at least 6 months, up to
Rp100,000,000 since 2023) — the bank decides; administrators correct these terms when they change.
"""

from django.db import migrations

PROGRAMS = (
    {
        "name": "Jakpreneur",
        "organiser": "Pemerintah Provinsi DKI Jakarta",
        "description": "Pelatihan, pendampingan, perizinan, pemasaran dan akses permodalan bagi pelaku usaha di DKI Jakarta.",
        "min_months_running": 6,
        "max_loan_amount": 10_000_000,
        "interest_rate": "6.00",
        "requires_training": True,
        "source": "Komalasari & Nugroho (seed article, domain.md): pinjaman hingga Rp10.000.000, bunga 6%/tahun, usaha berjalan minimal 6 bulan",
    },
    {
        "name": "KUR Mikro",
        "organiser": "Bank penyalur KUR (BRI, BNI, Mandiri, BSI, …)",
        "description": "Kredit Usaha Rakyat untuk usaha mikro yang produktif dan layak.",
        "min_months_running": 6,
        "max_loan_amount": 100_000_000,
        "interest_rate": "6.00",
        "requires_training": False,
        "source": "Ketentuan KUR yang dipublikasikan (bunga 6% efektif/tahun untuk pinjaman pertama); periksa ketentuan terbaru bank",
    },
)


def seed(apps, schema_editor):
    CreditProgram = apps.get_model("livelihood", "CreditProgram")
    for program in PROGRAMS:
        CreditProgram.objects.get_or_create(name=program["name"], defaults={k: v for k, v in program.items() if k != "name"})


class Migration(migrations.Migration):
    dependencies = [("livelihood", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
