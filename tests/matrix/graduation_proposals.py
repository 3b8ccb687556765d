"""Graduation URLs of the workflow: proposals, decisions, the family's statement, follow-ups after graduation."""

from datetime import date


def _proposal(world, household):
    """A pending independent-prosperous proposal by the household's facilitator (the coordinator for a family
    without one): in scope exactly when the household is."""
    from graduation.models import Proposal

    return Proposal.objects.create(
        household=household, kind=Proposal.Kind.MANDIRI, effective_date=date(2026, 10, 1), notes="Usaha berjalan.",
        classification="BELUM", rules_version=1, justification="Keluarga ingin mandiri.",
        proposed_by=household.facilitator or world.coordinator)


def _proposal_with_statement(world, household):
    from django.core.files.base import ContentFile

    proposal = _proposal(world, household)
    proposal.statement_file.save("pernyataan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    proposal.confirmation = "upload"
    proposal.save(update_fields=["statement_file", "confirmation"])
    return proposal


HOUSEHOLD_URLS = {
    "graduation_proposal_create": ("get", "write"),
}

OBJECT_URLS = {
    "graduation_proposal_detail": ("get", "read", _proposal),
    "graduation_proposal_decide": ("post", "manage", _proposal),
    "graduation_proposal_withdraw": ("post", "write", _proposal),
    "graduation_statement_print": ("get", "write", _proposal),
    "graduation_statement_upload": ("post", "write", _proposal),
    "graduation_statement_confirm": ("post", "write", _proposal),
    "graduation_statement_file": ("get", "read", _proposal_with_statement),
}

PAGE_URLS = {
    "graduation_proposal_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "graduation_followups": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
