"""API: graduation and exit proposals and the coordinator's decision. The proposal is the proposal pages' row
(tests/matrix/graduation_proposals.py): in scope exactly when its household is."""

from tests.matrix.graduation_proposals import _proposal

OBJECT_URLS = {
    "api_graduation_proposal_detail": ("get", "read", _proposal),
    "api_graduation_proposal_decision": ("post", "manage", _proposal),
}

PAGE_URLS = {
    "api_graduation_proposal_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
