"""Compliance URLs: verification index, bulk entry, household entry, facilities, suspension proposals."""

PAGE_URLS = {
    "compliance_index": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    # without a kelurahan the bulk screen shows its chooser; auditors see values read-only
    "compliance_bulk": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "facility_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "facility_create": {"facilitator": 200, "coordinator": 200, "auditor": 403, "admin": 200},
    # a facilitator sees the proposals of their own families (read-only)
    "proposal_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "compliance_refresh": {"facilitator": 403, "coordinator": 200, "auditor": 403, "admin": 200},
}

HOUSEHOLD_URLS = {
    "compliance_household": ("get", "read"),
}


def _facility(world, household):
    """A facility in the household's kelurahan. Facilities belong to a kelurahan, not a family: the
    unassigned family shares its kelurahan with other_household, so a facility made "for" it would be
    in other_facilitator's area; the matrix row needs a place that is in scope exactly with its family."""
    from compliance.models import Facility

    if household.facilitator_id is None:
        return None
    return Facility.objects.create(name=f"SDN {household.id_kpm}", kind="school", kelurahan=household.kelurahan)


def _proposal(world, household):
    from compliance.models import SuspensionProposal

    return SuspensionProposal.objects.create(household=household, first_period=20262, last_period=20263)


OBJECT_URLS = {
    "facility_edit": ("get", "write", _facility),
    "proposal_detail": ("get", "read", _proposal),
    # an empty decision answers 400 (form error) to managers
    "proposal_decide": ("post", "manage", _proposal),
}
