"""Graduation URLs: assessments, the household's graduation page and the candidate lists (see graduation/urls.py)."""

from django.urls import path

from graduation.views import assessments as views

urlpatterns = [
    path("households/<int:pk>/", views.household_graduation, name="graduation_household"),
    path("households/<int:pk>/assessments/new/", views.assessment_create, name="graduation_assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="graduation_assessment_detail"),
    path("candidates/", views.candidate_list, name="graduation_candidates"),
]
