"""The graduation screening on demand: a coordinator (or administrator) sees when each of their cities
was last screened and re-runs the screening of one city in the background (a core.jobs Job)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.jobs import JobAlreadyActive, job_start
from graduation.screening import city_screenings
from graduation.screening_forms import ScreeningRefreshForm
from graduation.tasks import GRADUATION_SCREENING, screening_refresh_task
from org import access


@login_required
@require_http_methods(["GET", "POST"])
def refresh(request):
    access.require_caseload_management(request.user)
    today = timezone.localdate()
    cities = city_screenings(request.user)
    form = ScreeningRefreshForm(request.POST or None, cities=cities,
                                initial={"city": request.GET.get("kota") or (cities[0].code if cities else "")})
    if request.method == "POST" and form.is_valid():
        city = form.cleaned_data["city"]
        try:
            job = job_start(actor=request.user, kind=GRADUATION_SCREENING, task=screening_refresh_task, city_code=city,
                            params={"city": city, "as_of": today.isoformat()}, lock_key=city)
        except JobAlreadyActive as exc:
            messages.warning(request, _("This city is already being screened; here is the progress."))
            return redirect("job_detail", pk=exc.job.pk)
        return redirect("job_detail", pk=job.pk)
    return render(request, "graduation/screening_refresh.html", {"form": form, "cities": cities, "today": today})
