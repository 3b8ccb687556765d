from django.urls import path

from casework import views

urlpatterns = [
    path("today/", views.today, name="today"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/not-visited/", views.not_visited, name="not_visited"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("households/<int:pk>/visits/", views.household_visits, name="household_visits"),
]
