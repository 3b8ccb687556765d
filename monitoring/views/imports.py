"""Bank-data import pages. Coordinators and administrators upload the bank's file; it is checked and imported
in the background (a core.jobs Job whose page shows the progress and offers the error report). The list of
past imports (who, when, file, status, counts, report) is also open, read-only, to the auditors of the city."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.jobs import JobAlreadyActive, file_fingerprint, job_start
from monitoring.import_forms import BankImportForm
from monitoring.import_tasks import BANK_IMPORT, bank_import_task, visible_imports
from monitoring.importer import COLUMNS
from org import access

PAGE_SIZE = 20
SAMPLE_ROWS = (
    ("BRI2026010001", "BRI", "3175010000000001", "6013010000000001", "2026", "1", "SALUR", "2026-01-20", "",
     "600000", "600000", ""),
    ("BRI2026010002", "BRI", "3175010000000001", "6013010000000001", "2026", "1", "TARIK", "22/01/2026", "10:15",
     "600.000", "0", "AGEN-317501-007"),
    ("BNI2026010001", "BNI", "3175010000000002", "5264220000000002", "2026", "1", "SALUR", "2026-01-20", "",
     "1.500.000", "1500000", ""),
)


def _require_viewer(user) -> None:
    """Coordinators and administrators import; auditors see the imports of their cities; facilitators neither."""
    if not (access.can_manage_caseloads(user) or access.can_view_city(user)):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    user = request.user
    _require_viewer(user)
    if request.method == "POST":
        access.require_caseload_management(user)
    form = None
    if access.can_manage_caseloads(user):
        form = BankImportForm(request.POST or None, request.FILES or None,
                              cities=list(access.visible_cities(user).only("code", "name")))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = job_start(actor=user, kind=BANK_IMPORT, task=bank_import_task, city_code=form.cleaned_data["city"],
                            input_file=upload, lock_key=file_fingerprint(upload))
        except JobAlreadyActive as exc:
            messages.warning(request, _("This file is already being imported; here is its progress."))
            return redirect("job_detail", pk=exc.job.pk)
        return redirect("job_detail", pk=job.pk)
    page = Paginator(visible_imports(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/import_list.html", {"form": form, "page_obj": page, "columns": COLUMNS},
                  status=400 if form is not None and form.is_bound else 200)


@login_required
@require_GET
def import_sample(request):
    _require_viewer(request.user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(SAMPLE_ROWS)
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contoh_impor_transaksi.csv"'
    return response
