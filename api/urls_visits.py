"""API URLs: visits."""

from django.urls import path

from api import visits

urlpatterns = [
    path("visits/", visits.VisitList.as_view(), name="api_visit_list"),
    path("visits/<int:pk>/", visits.VisitDetail.as_view(), name="api_visit_detail"),
]
