"""Graduation URLs: proposals, decisions, the family's statement and the follow-ups after graduation (see
graduation/urls.py). Names start with graduation_: compliance already has proposal_list and friends."""

from django.urls import path

from graduation.views import proposals as views

urlpatterns = [
    path("proposals/", views.proposal_list, name="graduation_proposal_list"),
    path("households/<int:pk>/propose/", views.proposal_create, name="graduation_proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="graduation_proposal_detail"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="graduation_proposal_decide"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="graduation_proposal_withdraw"),
    path("proposals/<int:pk>/statement/", views.statement_print, name="graduation_statement_print"),
    path("proposals/<int:pk>/statement/upload/", views.statement_upload, name="graduation_statement_upload"),
    path("proposals/<int:pk>/statement/confirm/", views.statement_confirm, name="graduation_statement_confirm"),
    path("proposals/<int:pk>/statement/file/", views.statement_file, name="graduation_statement_file"),
    path("follow-ups/", views.followup_list, name="graduation_followups"),
]
