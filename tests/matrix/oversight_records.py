"""The records behind a figure of the facilitator activity audit. The URL's `pk` is a facilitator's: the
factory returns the household's facilitator (none for the unassigned household), who is in scope exactly
when the household is (a facilitator sees only their own records; the city's coordinator and auditor and the
administrator see every facilitator of the city). The matrix reverses the URL without a figure: the
facilitator's visits."""


def _facilitator(world, household):
    return household.facilitator


OBJECT_URLS = {
    "oversight_records": ("get", "read", _facilitator),
}
