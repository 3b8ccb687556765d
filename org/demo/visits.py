"""Demo home visits: 0–6 per active family over the 9 months before the reference date, by its
facilitator, mostly on weekdays in working hours, geotagged a few tens of metres from the home.

About 10% carry no geotag (permission denied, no fix, timeout), 3% are far (more than 1 km), 6% are
entered more than 24 hours late (with the reason the form asks for when older than 7 days), and 30%
set a next follow-up, some already past on the reference date. The flags are computed with the
thresholds of CaseworkSettings, as casework.services.visit_log does. The planted patterns are
described in org.demo.fieldwork.
"""

from datetime import timedelta

from beneficiaries.models import Household
from casework.models import CaseworkSettings, HomeVisit
from casework.services import distance_m
from org.demo import names, texts
from org.demo.fieldwork import HISTORY_DAYS, World, dec6, moment, offset, workday_between, working_minutes

BATCH = 2000
VISIT_COUNTS = ((0, 8), (1, 27), (2, 30), (3, 18), (4, 9), (5, 5), (6, 3))
GEO_FAILURES = ((HomeVisit.Geo.DENIED, 40), (HomeVisit.Geo.UNAVAILABLE, 30), (HomeVisit.Geo.TIMEOUT, 30))
MET = ((HomeVisit.Met.PENGURUS, 68), (HomeVisit.Met.MEMBER, 17), (HomeVisit.Met.NEIGHBOUR, 6), (HomeVisit.Met.NOBODY, 9))


def _weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _met_name(rng, family, met: str) -> str:
    if met == HomeVisit.Met.PENGURUS:
        return family.pengurus.name
    if met == HomeVisit.Met.MEMBER:
        others = [m for m in family.current_members() if not m.is_pengurus and m.birth_date.year <= 2008]
        return rng.choice(others).name if others else ""
    if met == HomeVisit.Met.NEIGHBOUR:
        if rng.random() < 0.5:
            return f"Pak RT {rng.choice(names.MALE_GIVEN)}"
        return f"Bu RW {rng.choice(names.FEMALE_GIVEN)}"
    return ""


def seed_visits(world: World) -> dict:
    rng = world.rng("visits")
    rules = CaseworkSettings.current()
    reference = world.reference
    window_start = reference - timedelta(days=HISTORY_DAYS)
    pattern_of = {user.pk: key for key, user in world.patterns.items()}
    visits = []
    positioned = []
    never = 0
    for facilitator, area in zip(world.facilitators, world.areas):
        pattern = pattern_of.get(facilitator.pk)
        limit = world.cutoff(facilitator.pk)
        if pattern == "one_spot":  # e.g. the kelurahan office, or a warung where the families are called to
            lat, lon, _ = world.centres.get(area[0], next(iter(world.centres.values())))
            spot = offset(lat, lon, rng.uniform(100, 400), rng.uniform(0, 360))
        for family in world.by_facilitator[facilitator.pk]:
            household = family.household
            if household.status != Household.Status.ACTIVE:
                continue
            count = _weighted(rng, VISIT_COUNTS)
            if pattern and not count:
                count = rng.randint(1, 3)  # every family of a planted facilitator shows the pattern
            first = max(window_start, family.assigned_from or family.joined)
            days = sorted(d for d in (workday_between(rng, first, limit.date() - timedelta(days=1)) for _ in range(count)) if d)
            never += not days
            centre = world.centres[household.kelurahan_id]
            if pattern == "far" and not household.has_home_position:
                # Far means far from a recorded home: these homes were positioned by an earlier visit.
                lat, lon = offset(centre[0], centre[1], rng.uniform(50, 700), rng.uniform(0, 360))
                household.home_latitude, household.home_longitude = dec6(lat), dec6(lon)
                positioned.append(household)
            home = ((float(household.home_latitude), float(household.home_longitude))
                    if household.has_home_position else None)
            for day in days:
                if pattern == "night":
                    minutes = rng.randint(20 * 60, 22 * 60 + 59)
                elif rng.random() < 0.08:  # families who work during the day are met in the evening
                    minutes = rng.randint(18 * 60 + 30, 20 * 60 + 30)
                else:
                    minutes = working_minutes(rng)
                visited_at = moment(day, minutes)
                visit = HomeVisit(household_id=household.pk, facilitator_id=facilitator.pk, visited_at=visited_at)

                # Where the phone said it was.
                anchor = home or offset(centre[0], centre[1], rng.uniform(50, 700), rng.uniform(0, 360))
                roll = rng.random()
                point = None
                if pattern == "one_spot":
                    point = spot
                elif pattern == "far":
                    point = offset(*anchor, rng.uniform(2500, 3500), rng.uniform(0, 360))
                elif roll < 0.10:
                    visit.geo_status = _weighted(rng, GEO_FAILURES)
                    visit.geo_error = texts.GEO_ERRORS[visit.geo_status]
                elif roll < 0.13:
                    point = offset(*anchor, rng.uniform(1200, 4000), rng.uniform(0, 360))
                else:
                    point = offset(*anchor, min(abs(rng.gauss(0, 30)), 150), rng.uniform(0, 360))
                if point is not None:
                    visit.geo_status = HomeVisit.Geo.OK
                    visit.latitude, visit.longitude = dec6(point[0]), dec6(point[1])
                    visit.accuracy_m = round(rng.uniform(5, 40), 1)
                    if home is not None:
                        visit.distance_m = round(distance_m(household.home_latitude, household.home_longitude,
                                                            visit.latitude, visit.longitude), 1)

                # When the server received it.
                received = visited_at + timedelta(minutes=rng.randint(1, 150))
                if rng.random() < 0.06:
                    late = visited_at + timedelta(hours=rng.uniform(25, 14 * 24))
                    received = late if late < limit else received
                visit.received_at = received
                if received - visited_at > timedelta(days=rules.backdate_reason_days):
                    visit.backdate_reason = rng.choice(texts.BACKDATE_REASONS)

                # What it was about.
                purposes = [("commitment", 30), ("data", 18), ("p2k2", 12), ("graduation", 4), ("other", 8)]
                opened = world.case_opened.get(household.pk)
                if opened is not None and day >= opened:
                    purposes.append(("mediation", 40))
                if household.pk in world.business_households:
                    purposes.append(("business", 25))
                visit.purpose = _weighted(rng, purposes)
                visit.met = _weighted(rng, MET)
                visit.met_name = _met_name(rng, family, visit.met)
                notes, outcomes = texts.VISIT_TEXTS[visit.purpose]
                if visit.met == HomeVisit.Met.NOBODY:
                    visit.notes, visit.outcome = texts.NOBODY_NOTE, texts.NOBODY_OUTCOME
                else:
                    visit.notes, visit.outcome = rng.choice(notes), rng.choice(outcomes)
                if rng.random() < (0.6 if visit.met == HomeVisit.Met.NOBODY else 0.27):
                    visit.next_follow_up = day + timedelta(days=rng.randint(3, 14) if visit.met == HomeVisit.Met.NOBODY
                                                           else rng.randint(7, 75))

                visit.flag_far = visit.distance_m is not None and visit.distance_m > rules.far_visit_metres
                visit.flag_no_geotag = point is None
                visit.flag_late = received - visited_at > timedelta(hours=rules.late_entry_hours)
                visits.append(visit)
    Household.objects.bulk_update(positioned, ["home_latitude", "home_longitude"], batch_size=BATCH)
    HomeVisit.objects.bulk_create(visits, batch_size=BATCH)
    return {
        "home visits": len(visits),
        "  flagged far / without geotag / late": f"{sum(v.flag_far for v in visits)} / "
                                                 f"{sum(v.flag_no_geotag for v in visits)} / {sum(v.flag_late for v in visits)}",
        "  with a next follow-up (after the reference date)":
            f"{sum(1 for v in visits if v.next_follow_up)} ({sum(1 for v in visits if v.next_follow_up and v.next_follow_up >= reference)})",
        "active families never visited": never,
    }
