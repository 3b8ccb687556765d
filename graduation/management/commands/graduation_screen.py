"""Classify every household in the program (active or suspended) of a regency/city on a date:

    python manage.py graduation_screen --city 31.75 --as-of 2026-12-31 --output FILE.json [--store]

The file is a JSON list, one object per household: id_kpm, status, components (codes of domain.md),
annual_entitlement, classification, score, reasons (one sentence per rule checked, in Bahasa Indonesia),
rules_version and as_of. `--store` also saves the results as the monthly job does (the facilitators'
"Kandidat graduasi" lists read them) and drops those of households that left the program. `--output -`
writes the JSON to standard output (the summary then goes to standard error).
"""

import json
import time
from collections import Counter
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from graduation import screening
from graduation.models import Classification
from graduation.reasons import reasons
from org.models import Region


def household_json(screened: screening.Screened) -> dict:
    result = screened.result
    return {
        "id_kpm": screened.id_kpm,
        "status": screened.status,
        "components": result.components,
        "annual_entitlement": result.annual_entitlement,
        "classification": result.classification,
        "score": result.score,
        "reasons": reasons(result.checks),
        "rules_version": result.rules_version,
        "as_of": result.as_of.isoformat(),
    }


class JsonListWriter:
    """Writes one object at a time, so a city of 25,000 households never sits in memory as one string."""

    def __init__(self, write):
        self.write = write
        self.count = 0

    def __call__(self, screened: screening.Screened) -> None:
        self.write("[\n" if self.count == 0 else ",\n")
        self.write(json.dumps(household_json(screened), ensure_ascii=False, separators=(",", ":")))
        self.count += 1

    def close(self) -> None:
        self.write("[]\n" if self.count == 0 else "\n]\n")


class Command(BaseCommand):
    help = "Classify the households of a regency/city for graduation; write them as JSON and/or store them."

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="regency/city code, e.g. 31.75")
        parser.add_argument("--as-of", dest="as_of", help="the date of the classification, YYYY-MM-DD (default: today)")
        parser.add_argument("--output", help="the JSON file to write ('-' for standard output)")
        parser.add_argument("--store", action="store_true",
                            help="also store the results, as the monthly job does (the candidate lists read them)")

    def handle(self, *args, city, as_of, output, store, **options):
        if not output and not store:
            raise CommandError("nothing to do: give --output FILE (or -) and/or --store")
        region = Region.objects.filter(code=city, level=Region.Level.REGENCY).first()
        if region is None:
            raise CommandError(f"unknown regency/city {city!r}: give a code like 31.75 from the region list")
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date: give it as YYYY-MM-DD, e.g. 2026-12-31") from None
        summary = self.stderr if output == "-" else self.stdout
        stream, writer = None, None
        if output == "-":
            writer = JsonListWriter(lambda text: self.stdout.write(text, ending=""))
        elif output:
            try:
                stream = open(output, "w", encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write {output}: {exc}") from None
            writer = JsonListWriter(stream.write)
        counts: Counter = Counter()

        def each(screened):
            counts[screened.result.classification] += 1
            if writer:
                writer(screened)

        start = time.perf_counter()
        try:
            # The reasons are for facilitators: Bahasa Indonesia.
            with translation.override("id"), screening.gc_paused():
                if store:
                    screening.refresh_city(city, as_of=day, each=each)
                else:
                    for screened in screening.screen(screening.program_households(city), as_of=day):
                        each(screened)
            if writer:
                writer.close()
        finally:
            if stream:
                stream.close()
        seconds = time.perf_counter() - start

        total = sum(counts.values())
        summary.write(f"{region.name} ({city}) as of {day.isoformat()}: {total} households screened in {seconds:.1f} s"
                      + (", results stored" if store else "") + (f", written to {output}" if output and output != "-" else ""))
        for code in Classification.values:
            summary.write(f"  {code:<17} {counts.get(code, 0):>7}")
