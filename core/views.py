"""Home redirect by role, sign-in/out with audit, the progress pages of background jobs, and the error pages
(JSON under /api/, HTML elsewhere)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_POST

from core.audit import audit_record
from core.forms import LoginForm
from core.models import AuditEvent
from org import access


@login_required
def home(request):
    user = request.user
    # A coordinator's day starts with ratios and backlogs; an auditor's with what the facilitators did.
    if user.is_coordinator:
        return redirect("oversight_dashboard")
    if access.can_view_city(user) and not user.is_administrator:
        return redirect("oversight_audit")
    if user.is_administrator:
        return redirect("city_overview") if access.visible_cities(user).exists() else redirect("admin:index")
    if user.is_facilitator:
        return redirect("today")
    return render(request, "core/no_role.html", status=403)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(actor=form.get_user(), action=AuditEvent.Action.LOGIN, obj=form.get_user())
        return response

    def form_invalid(self, form):
        username = form.data.get("username", "")[:150]
        audit_record(actor=None, action=AuditEvent.Action.LOGIN_FAILED, object_type="org.user",
                     object_repr=username, message=_("failed sign-in"))
        return super().form_invalid(form)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit_record(actor=request.user, action=AuditEvent.Action.LOGOUT, obj=request.user)
    return auth_views.LogoutView.as_view()(request)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "core/password_change_done.html"


def health(request):
    """For load balancers and container health checks: answers 200 when the database answers."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse({"database": "ok"})


@login_required
def job_detail(request, pk):
    job = access.get_job_or_404(request.user, pk)
    return render(request, "core/job_detail.html", {"job": job})


@login_required
def job_status(request, pk):
    """What the progress bar polls."""
    job = access.get_job_or_404(request.user, pk)
    return JsonResponse({
        "status": job.status,
        "status_label": job.get_status_display(),
        "percent": job.percent,
        "done": job.progress_done,
        "total": job.progress_total,
        "stage": job.stage,
        "message": job.message,
        "finished": not job.is_active,
    })


@login_required
def job_report(request, pk):
    job = access.get_job_or_404(request.user, pk)
    if not job.report_file:
        raise Http404
    # An error report repeats the rows of the file (names, NIK): downloading it is an export of personal data.
    audit_record(actor=request.user, action=AuditEvent.Action.EXPORT, obj=job, city_code=job.city_code,
                 changes={"file": job.input_name, "report": job.report_file.name},
                 message=f"error report of {job.kind} #{job.pk}")
    return FileResponse(job.report_file.open("rb"), as_attachment=True,
                        filename=f"laporan-{job.kind}-{job.pk}.csv", content_type="text/csv; charset=utf-8")


# --- error pages: an API client gets JSON, a browser the page ----------------------------------------

def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return defaults.server_error(request)
