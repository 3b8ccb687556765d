from django.urls import path

from casework import views

urlpatterns = [
    path("today/", views.today, name="today"),
]
