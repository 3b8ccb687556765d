"""API URLs: P2K2 groups, meetings ("sessions") and their attendance."""

from django.urls import path

from api import p2k2

urlpatterns = [
    path("p2k2/groups/", p2k2.GroupList.as_view(), name="api_p2k2_group_list"),
    path("p2k2/sessions/", p2k2.MeetingList.as_view(), name="api_p2k2_session_list"),
    path("p2k2/sessions/<int:pk>/", p2k2.MeetingDetail.as_view(), name="api_p2k2_session_detail"),
    path("p2k2/sessions/<int:pk>/attendance/", p2k2.AttendanceRecord.as_view(), name="api_p2k2_attendance_record"),
]
