from django.urls import path

from compliance import views

urlpatterns = [
    path("", views.index, name="compliance_index"),
    path("entry/", views.bulk_entry, name="compliance_bulk"),
    path("households/<int:pk>/", views.household_entry, name="compliance_household"),
    path("facilities/", views.facility_list, name="facility_list"),
    path("facilities/new/", views.facility_create, name="facility_create"),
    path("facilities/<int:pk>/edit/", views.facility_edit, name="facility_edit"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("refresh/", views.refresh, name="compliance_refresh"),
]
