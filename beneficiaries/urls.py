from django.urls import path

from beneficiaries import views

urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/identity/", views.household_identity, name="household_identity"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", views.member_create, name="member_create"),
    path("households/<int:pk>/members/<int:member_pk>/edit/", views.member_edit, name="member_edit"),
    path("households/<int:pk>/members/<int:member_pk>/pengurus/", views.member_make_pengurus, name="member_make_pengurus"),
    path("households/<int:pk>/kks/", views.kks_custody_create, name="kks_custody_create"),
    path("households/<int:pk>/status/", views.household_status, name="household_status"),
    path("city/", views.city_overview, name="city_overview"),
    path("city/assign/", views.caseload_assign, name="caseload_assign"),
    path("imports/households/", views.household_import, name="household_import"),
    path("imports/households/sample.csv", views.household_import_sample, name="household_import_sample"),
]
