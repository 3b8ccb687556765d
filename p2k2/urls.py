from django.urls import path

from p2k2 import views

urlpatterns = [
    path("", views.group_list, name="p2k2_group_list"),
    path("groups/new/", views.group_create, name="p2k2_group_create"),
    path("groups/<int:pk>/", views.group_detail, name="p2k2_group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="p2k2_group_edit"),
    path("groups/<int:pk>/members/", views.group_members, name="p2k2_group_members"),
    path("groups/<int:pk>/close/", views.group_close, name="p2k2_group_close"),
    path("groups/<int:pk>/meetings/new/", views.meeting_create, name="p2k2_meeting_create"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="p2k2_membership_remove"),
    path("meetings/", views.meeting_list, name="p2k2_meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="p2k2_meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="p2k2_meeting_edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="p2k2_meeting_cancel"),
    path("attendance/", views.attendance_analysis, name="p2k2_attendance"),
]
