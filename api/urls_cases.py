"""API URLs: mediation cases."""

from django.urls import path

from api import cases

urlpatterns = [
    path("cases/", cases.CaseList.as_view(), name="api_case_list"),
    path("cases/<int:pk>/", cases.CaseDetail.as_view(), name="api_case_detail"),
    path("cases/<int:pk>/transition/", cases.CaseTransition.as_view(), name="api_case_transition"),
    path("cases/<int:pk>/notes/", cases.CaseNote.as_view(), name="api_case_note"),
]
