from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", core_views.logout_view, name="logout"),
    path("accounts/password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", core_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("healthz/", core_views.health, name="health"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status/", core_views.job_status, name="job_status"),
    path("jobs/<int:pk>/report/", core_views.job_report, name="job_report"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("beneficiaries.urls")),
    path("", include("casework.urls")),
    path("p2k2/", include("p2k2.urls")),
    path("cases/", include("mediation.urls")),
    path("livelihood/", include("livelihood.urls")),
    path("commitments/", include("compliance.urls")),
    path("graduation/", include("graduation.urls")),
    path("transactions/", include("monitoring.urls")),
    path("oversight/", include("oversight.urls")),
    path("api/v1/", include("api.urls")),
    path("accounts/tokens/", include("api.urls_tokens")),
]

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
