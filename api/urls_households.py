"""API URLs: households."""

from django.urls import path

from api import households

urlpatterns = [
    path("households/", households.HouseholdList.as_view(), name="api_household_list"),
    path("households/<int:pk>/", households.HouseholdDetail.as_view(), name="api_household_detail"),
]
