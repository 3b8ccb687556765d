from django.urls import path

from mediation import views

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("households/<int:pk>/new/", views.case_open, name="case_open"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/status/", views.case_transition, name="case_transition"),
    path("<int:pk>/notes/", views.case_note, name="case_note"),
    path("<int:pk>/due-date/", views.case_due_date, name="case_due_date"),
    path("<int:pk>/referrals/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/outcome/", views.referral_outcome, name="referral_outcome"),
]
