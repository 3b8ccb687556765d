"""API URLs: graduation and exit proposals and the coordinator's decision."""

from django.urls import path

from api import graduation

urlpatterns = [
    path("graduation/proposals/", graduation.ProposalList.as_view(), name="api_graduation_proposal_list"),
    path("graduation/proposals/<int:pk>/", graduation.ProposalDetail.as_view(), name="api_graduation_proposal_detail"),
    path("graduation/proposals/<int:pk>/decision/", graduation.ProposalDecision.as_view(),
         name="api_graduation_proposal_decision"),
]
