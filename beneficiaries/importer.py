"""Importing the KPM registry from an operator's export (CSV or XLSX, one row per member).

The whole file is read and checked first; every problem names the row and the column. A file
with any error writes nothing (unless `skip_invalid`, which writes the households without
errors and reports the rest). Writing is one transaction of bulk inserts/updates keyed by ID KPM
(households) and NIK (members), so importing the same file twice changes nothing.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beneficiaries import assignment
from beneficiaries.models import Bank, FamilyCardChange, Household, HouseholdStatusChange, KKSCustody, Member
from beneficiaries.validation import is_sixteen_digits, nik_birth_date_warning, nik_problem
from core.audit import audit_record_many, build_event
from core.models import AuditEvent
from core.parsing import digits_only, parse_date, parse_int, parse_yes_no
from core.tabular import TableError, open_table
from org import access
from org.models import FacilitatorProfile, Region, User

REQUIRED_COLUMNS = {
    "id_kpm", "no_kk", "kode_wilayah", "alamat", "nik", "nama", "jenis_kelamin", "tanggal_lahir",
    "hubungan", "pengurus", "no_kks", "bank", "tahun_kepesertaan",
}
OPTIONAL_COLUMNS = {"hamil", "hpl", "kehamilan_ke", "sekolah", "disabilitas_berat", "pendamping", "desil"}
HOUSEHOLD_COLUMNS = ("no_kk", "kode_wilayah", "alamat", "no_kks", "bank", "tahun_kepesertaan", "pendamping", "desil")

SCHOOL_ALIASES = {
    "": "", "TIDAK": "", "TIDAK SEKOLAH": "", "BELUM SEKOLAH": "", "-": "",
    "SD": "SD", "MI": "MI", "PAKET A": "PAKET A",
    "SMP": "SMP", "MTS": "MTS", "PAKET B": "PAKET B",
    "SMA": "SMA", "SMK": "SMK", "MA": "MA", "PAKET C": "PAKET C",
}
RELATIONSHIPS = {value: value for value in Member.Relationship.values}
_ID_KPM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
_VILLAGE_PLAIN = re.compile(r"^\d{10}$")
_VILLAGE_DOTTED = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
CHUNK = 500  # keeps IN (...) lists under SQLite's variable limit
# bulk_update writes one CASE WHEN per field with a branch per row: cost grows with the square of the
# batch, so small batches are much faster than large ones.
UPDATE_BATCH = 100


@dataclass
class Problem:
    row: int
    column: str
    message: str
    id_kpm: str = ""


@dataclass
class ImportResult:
    rows: int = 0
    households_in_file: int = 0
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    households_skipped: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    members_not_in_file: int = 0
    assignments_changed: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.written

    def counts(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int) and not isinstance(v, bool)} | {
            "errors": len(self.errors), "warnings": len(self.warnings), "written": self.written,
        }


@dataclass
class ParsedMember:
    row: int
    nik: str
    name: str
    sex: str
    birth_date: date | None
    relationship: str
    is_pengurus: bool
    pregnant: bool
    expected_delivery_date: date | None
    pregnancy_order: int | None
    school: str
    severe_disability: bool


@dataclass
class ParsedHousehold:
    id_kpm: str
    first_row: int
    values: dict  # household columns as parsed from the first row
    members: list = field(default_factory=list)


def report_csv(result: ImportResult) -> str:
    """The error and warning report users download: one line per problem."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("row"), _("column"), "id_kpm", _("kind"), _("message")])
    for kind, problems in ((_("error"), result.errors), (_("warning"), result.warnings)):
        for p in problems:
            writer.writerow([p.row, p.column, p.id_kpm, kind, p.message])
    return out.getvalue()


def normalise_village_code(value) -> str | None:
    text = digits_only(value) if not isinstance(value, str) or "." not in value else value.strip()
    if _VILLAGE_DOTTED.match(text):
        return text
    if _VILLAGE_PLAIN.match(text):
        return f"{text[0:2]}.{text[2:4]}.{text[4:6]}.{text[6:10]}"
    return None


class _RowParser:
    """Parses one row into household values and a member, collecting problems."""

    def __init__(self, headers: set[str], problems: list[Problem], warnings: list[Problem]):
        self.headers = headers
        self.problems = problems
        self.warnings = warnings
        self.today = timezone.localdate()

    def _err(self, row, column, message, id_kpm=""):
        self.problems.append(Problem(row, column, message, id_kpm))

    def _parse(self, number, row, column, parser, id_kpm, **kwargs):
        value = row.get(column, "")
        if value is None or str(value).strip() == "":
            return None
        try:
            return parser(value, **kwargs)
        except ValueError as exc:
            self._err(number, column, str(exc), id_kpm)
            return None

    def household_values(self, number: int, row: dict, id_kpm: str) -> dict:
        values = {}
        no_kk = digits_only(row.get("no_kk", ""))
        if not is_sixteen_digits(no_kk):
            self._err(number, "no_kk", _("No. KK must be exactly 16 digits."), id_kpm)
        values["no_kk"] = no_kk
        raw_code = row.get("kode_wilayah", "")
        code = normalise_village_code(raw_code)
        if code is None:
            self._err(number, "kode_wilayah", _("“%(value)s” is not a village code (e.g. 31.75.01.1001 or 3175011001).")
                      % {"value": str(raw_code)[:20]}, id_kpm)
        values["kode_wilayah"] = code
        address = str(row.get("alamat", "") or "").strip()
        if len(address) > 255:
            self._err(number, "alamat", _("The address is longer than 255 characters."), id_kpm)
        values["alamat"] = address[:255]
        bank = str(row.get("bank", "") or "").strip().upper()
        if bank not in Bank.values:
            self._err(number, "bank", _("“%(value)s” is not a bank (BNI, BRI, MANDIRI, BTN, BSI or POS).") % {"value": bank[:20]}, id_kpm)
        values["bank"] = bank
        kks = digits_only(row.get("no_kks", ""))
        if kks and not is_sixteen_digits(kks):
            self._err(number, "no_kks", _("The KKS number must be exactly 16 digits."), id_kpm)
        elif not kks and bank and bank != Bank.POS:
            self._err(number, "no_kks", _("The KKS number is missing (only PT Pos recipients may have none)."), id_kpm)
        values["no_kks"] = kks
        values["tahun_kepesertaan"] = self._parse(
            number, row, "tahun_kepesertaan", parse_int, id_kpm, minimum=2007, maximum=self.today.year
        )
        if values["tahun_kepesertaan"] is None and not any(p.row == number and p.column == "tahun_kepesertaan" for p in self.problems):
            self._err(number, "tahun_kepesertaan", _("The year the household joined PKH is missing."), id_kpm)
        values["pendamping"] = str(row.get("pendamping", "") or "").strip() if "pendamping" in self.headers else None
        if "desil" in self.headers:
            values["desil"] = self._parse(number, row, "desil", parse_int, id_kpm, minimum=1, maximum=10)
        return values

    def member(self, number: int, row: dict, id_kpm: str) -> ParsedMember:
        nik = digits_only(row.get("nik", ""))
        problem = nik_problem(nik)
        if problem:
            self._err(number, "nik", problem, id_kpm)
        name = str(row.get("nama", "") or "").strip()
        if not name:
            self._err(number, "nama", _("The name is missing."), id_kpm)
        elif len(name) > 150:
            self._err(number, "nama", _("The name is longer than 150 characters."), id_kpm)
        sex = str(row.get("jenis_kelamin", "") or "").strip().upper()
        if sex not in {"L", "P"}:
            self._err(number, "jenis_kelamin", _("Sex must be L or P."), id_kpm)
        birth_date = self._parse(number, row, "tanggal_lahir", parse_date, id_kpm)
        if birth_date is None and not any(p.row == number and p.column == "tanggal_lahir" for p in self.problems):
            self._err(number, "tanggal_lahir", _("The birth date is missing."), id_kpm)
        if birth_date and birth_date > self.today:
            self._err(number, "tanggal_lahir", _("The birth date %(date)s is in the future.") % {"date": birth_date}, id_kpm)
        if birth_date and birth_date.year < 1890:
            self._err(number, "tanggal_lahir", _("The birth date %(date)s is not plausible.") % {"date": birth_date}, id_kpm)
        relationship = " ".join(str(row.get("hubungan", "") or "").upper().split())
        if relationship not in RELATIONSHIPS:
            self._err(number, "hubungan", _("“%(value)s” is not a relationship (KEPALA KELUARGA, ISTRI, SUAMI, ANAK, CUCU, ORANG TUA, FAMILI LAIN, LAINNYA).")
                      % {"value": relationship[:30]}, id_kpm)
        is_pengurus = bool(self._parse(number, row, "pengurus", parse_yes_no, id_kpm))
        pregnant = bool(self._parse(number, row, "hamil", parse_yes_no, id_kpm))
        edd = self._parse(number, row, "hpl", parse_date, id_kpm)
        order = self._parse(number, row, "kehamilan_ke", parse_int, id_kpm, minimum=1, maximum=20)
        if pregnant and sex == "L":
            self._err(number, "hamil", _("A male member cannot be recorded as pregnant."), id_kpm)
        if pregnant and edd is None and not any(p.row == number and p.column == "hpl" for p in self.problems):
            self._err(number, "hpl", _("A pregnant member needs the expected delivery date (hpl)."), id_kpm)
        if not pregnant and edd is not None:
            self._err(number, "hpl", _("An expected delivery date is given but hamil is not Y."), id_kpm)
        school_raw = " ".join(str(row.get("sekolah", "") or "").upper().replace("-", " ").split())
        school_raw = {"PAKETA": "PAKET A", "PAKETB": "PAKET B", "PAKETC": "PAKET C"}.get(school_raw, school_raw)
        if school_raw not in SCHOOL_ALIASES:
            self._err(number, "sekolah", _("“%(value)s” is not a school level (SD, SMP, SMA or MI, MTS, MA, SMK, PAKET A/B/C, or empty/TIDAK).")
                      % {"value": school_raw[:20]}, id_kpm)
        disability = bool(self._parse(number, row, "disabilitas_berat", parse_yes_no, id_kpm))
        if not problem and birth_date and sex in {"L", "P"}:
            warning = nik_birth_date_warning(nik, birth_date, sex)
            if warning:
                self.warnings.append(Problem(number, "nik", warning, id_kpm))
        return ParsedMember(
            row=number, nik=nik, name=name[:150], sex=sex, birth_date=birth_date, relationship=relationship,
            is_pengurus=is_pengurus, pregnant=pregnant, expected_delivery_date=edd if pregnant else None,
            pregnancy_order=order, school=SCHOOL_ALIASES.get(school_raw, ""), severe_disability=disability,
        )


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def read_and_check(source, *, actor=None, progress: Callable | None = None) -> tuple[ImportResult, dict, dict]:
    """Parse and validate the whole file. Returns (result with problems, households by ID KPM, lookups)."""
    result = ImportResult()
    progress = progress or (lambda done, total, stage: None)
    try:
        table = open_table(source, required=REQUIRED_COLUMNS, known=REQUIRED_COLUMNS | OPTIONAL_COLUMNS)
    except TableError as exc:
        result.errors.append(Problem(1, "", str(exc)))
        return result, {}, {}
    headers = set(table.headers)
    parser = _RowParser(headers, result.errors, result.warnings)
    households: dict[str, ParsedHousehold] = {}
    nik_seen: dict[str, tuple[int, str]] = {}
    try:
        for number, row in table.rows:
            result.rows += 1
            if result.rows % 5000 == 0:
                progress(result.rows, 0, _("Reading rows"))
            id_kpm = str(row.get("id_kpm", "") or "").strip()
            if isinstance(row.get("id_kpm"), float) and row["id_kpm"] == int(row["id_kpm"]):
                id_kpm = str(int(row["id_kpm"]))
            if not _ID_KPM.match(id_kpm):
                result.errors.append(Problem(number, "id_kpm", _("ID KPM is missing or has characters other than letters, digits, . _ / -.")))
                continue
            values = parser.household_values(number, row, id_kpm)
            member = parser.member(number, row, id_kpm)
            household = households.get(id_kpm)
            if household is None:
                household = households[id_kpm] = ParsedHousehold(id_kpm=id_kpm, first_row=number, values=values)
            else:
                for column in HOUSEHOLD_COLUMNS:
                    if values.get(column) != household.values.get(column) and column in headers:
                        result.errors.append(Problem(
                            number, column,
                            _("Differs from row %(row)s of the same household (every row of a household must agree).")
                            % {"row": household.first_row}, id_kpm,
                        ))
            household.members.append(member)
            if member.nik:
                earlier = nik_seen.get(member.nik)
                if earlier:
                    where = _("the same household") if earlier[1] == id_kpm else _("household %(id_kpm)s") % {"id_kpm": earlier[1]}
                    result.errors.append(Problem(
                        number, "nik", _("This NIK is also in row %(row)s (%(where)s).") % {"row": earlier[0], "where": where}, id_kpm,
                    ))
                else:
                    nik_seen[member.nik] = (number, id_kpm)
    except TableError as exc:
        result.errors.append(Problem(result.rows + 2, "", str(exc)))
        return result, {}, {}
    if result.rows == 0:
        result.errors.append(Problem(2, "", _("The file has a header but no data rows.")))
    result.households_in_file = len(households)
    progress(result.rows, 0, _("Checking against the registry"))

    for household in households.values():
        pengurus = [m.row for m in household.members if m.is_pengurus]
        if len(pengurus) != 1:
            message = (
                _("Household %(id_kpm)s has no member marked as pengurus (exactly one is needed).") % {"id_kpm": household.id_kpm}
                if not pengurus else
                _("Household %(id_kpm)s has %(count)s members marked as pengurus (rows %(rows)s); exactly one is needed.")
                % {"id_kpm": household.id_kpm, "count": len(pengurus), "rows": ", ".join(map(str, pengurus))}
            )
            result.errors.append(Problem(pengurus[1] if len(pengurus) > 1 else household.first_row, "pengurus", message, household.id_kpm))

    lookups = _registry_lookups(households)
    _check_against_registry(households, lookups, result, actor)
    return result, households, lookups


def _registry_lookups(households: dict[str, ParsedHousehold]) -> dict:
    codes = {h.values["kode_wilayah"] for h in households.values() if h.values.get("kode_wilayah")}
    villages = set()
    for chunk in _chunks(codes):
        villages.update(Region.objects.filter(code__in=chunk, level=Region.Level.VILLAGE).values_list("code", flat=True))
    usernames = {h.values["pendamping"] for h in households.values() if h.values.get("pendamping")}
    facilitators = {}
    for chunk in _chunks(usernames):
        facilitators.update({u.username: u for u in User.objects.filter(username__in=chunk, role=User.Role.FACILITATOR)})
    covered = defaultdict(set)
    for chunk in _chunks([u.pk for u in facilitators.values()]):
        for user_id, code in FacilitatorProfile.kelurahan.through.objects.filter(
            facilitatorprofile__user_id__in=chunk
        ).values_list("facilitatorprofile__user_id", "region_id"):
            covered[user_id].add(code)
    niks = {m.nik for h in households.values() for m in h.members if m.nik}
    nik_owner = {}
    for chunk in _chunks(niks):
        nik_owner.update(
            Member.objects.filter(nik__in=chunk, exit_reason="").values_list("nik", "household__id_kpm")
        )
    return {"villages": villages, "facilitators": facilitators, "covered": covered, "nik_owner": nik_owner}


def _check_against_registry(households, lookups, result: ImportResult, actor) -> None:
    for household in households.values():
        code = household.values.get("kode_wilayah")
        if code and code not in lookups["villages"]:
            result.errors.append(Problem(household.first_row, "kode_wilayah",
                                         _("Unknown village code %(code)s (import the region list first).") % {"code": code},
                                         household.id_kpm))
        elif code and not access.may_import_into(actor, code):
            result.errors.append(Problem(household.first_row, "kode_wilayah",
                                         _("Village %(code)s is outside your city; you cannot import it.") % {"code": code},
                                         household.id_kpm))
        username = household.values.get("pendamping")
        if username:
            facilitator = lookups["facilitators"].get(username)
            if facilitator is None:
                result.errors.append(Problem(household.first_row, "pendamping",
                                             _("No facilitator with the username “%(username)s”.") % {"username": username[:40]},
                                             household.id_kpm))
            elif code and code not in lookups["covered"].get(facilitator.pk, set()):
                result.warnings.append(Problem(household.first_row, "pendamping",
                                               _("Facilitator %(username)s does not yet cover village %(code)s; the household is assigned anyway.")
                                               % {"username": username, "code": code}, household.id_kpm))
        for member in household.members:
            owner = lookups["nik_owner"].get(member.nik)
            if owner and owner != household.id_kpm:
                result.errors.append(Problem(member.row, "nik",
                                             _("This NIK already belongs to a member of household %(id_kpm)s in the registry.")
                                             % {"id_kpm": owner}, household.id_kpm))


def import_households(source, *, actor=None, skip_invalid: bool = False, progress: Callable | None = None) -> ImportResult:
    """Check and import a registry file. See the module docstring for the rules."""
    progress = progress or (lambda done, total, stage: None)
    result, households, lookups = read_and_check(source, actor=actor, progress=progress)
    result.errors.sort(key=lambda p: (p.row, p.column))
    result.warnings.sort(key=lambda p: (p.row, p.column))
    if result.errors and (not skip_invalid or not households):
        return result
    invalid = {p.id_kpm for p in result.errors}
    if result.errors and "" in invalid:
        # A row without a usable ID KPM cannot be attributed to a household: nothing is safe to write.
        return result
    valid = [h for h in households.values() if h.id_kpm not in invalid]
    result.households_skipped = len(households) - len(valid)
    _write(valid, lookups, result, actor, progress)
    result.written = True
    return result


@transaction.atomic
def _write(households: list[ParsedHousehold], lookups: dict, result: ImportResult, actor, progress) -> None:
    if connection.vendor == "postgresql":
        # Registry imports run one at a time so two files cannot create the same household twice.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [7_310_001])
    today = timezone.localdate()
    total = len(households)
    existing: dict[str, Household] = {}
    for chunk in _chunks([h.id_kpm for h in households]):
        existing.update({h.id_kpm: h for h in Household.objects.filter(id_kpm__in=chunk)})

    new_households, changed_households, card_changes, events = [], [], [], []
    changed_fields: set[str] = set()
    for parsed in households:
        v = parsed.values
        wanted = {
            "no_kk": v["no_kk"], "kelurahan_id": v["kode_wilayah"], "address": v["alamat"], "bank": v["bank"],
            "kks_number": v["no_kks"], "joined_year": v["tahun_kepesertaan"],
        }
        if "desil" in v:  # an absent column leaves the decile as it is
            wanted["decile"] = v["desil"]
        household = existing.get(parsed.id_kpm)
        if household is None:
            household = Household(id_kpm=parsed.id_kpm, status=Household.Status.ACTIVE,
                                  status_since=date(v["tahun_kepesertaan"], 1, 1), **wanted)
            new_households.append(household)
            continue
        changes = {f: [getattr(household, f), value] for f, value in wanted.items() if getattr(household, f) != value}
        if changes:
            if "no_kk" in changes:
                card_changes.append(FamilyCardChange(household=household, old_no_kk=household.no_kk, new_no_kk=v["no_kk"], changed_by=actor))
            for f, value in wanted.items():
                setattr(household, f, value)
            household.version += 1
            household.updated_at = timezone.now()
            changed_fields.update(changes)
            changed_households.append(household)
            events.append(build_event(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, household_id=household.pk,
                                      city_code=household.kelurahan_id[:5], changes=changes, message=_("registry import")))
    progress(0, total, _("Writing households"))
    Household.objects.bulk_create(new_households, batch_size=1000)
    if changed_households:
        Household.objects.bulk_update(changed_households, [*sorted(changed_fields), "version", "updated_at"], batch_size=UPDATE_BATCH)
    FamilyCardChange.objects.bulk_create(card_changes, batch_size=1000)
    result.households_created = len(new_households)
    result.households_updated = len(changed_households)
    result.households_unchanged = len(households) - len(new_households) - len(changed_households)
    by_id_kpm = {h.id_kpm: h for h in new_households} | existing
    created_ids = {h.pk for h in new_households}
    HouseholdStatusChange.objects.bulk_create(
        [HouseholdStatusChange(household=h, status=h.status, effective_date=h.status_since,
                               reason=_("Imported from the registry file"), changed_by=actor) for h in new_households],
        batch_size=1000,
    )
    KKSCustody.objects.bulk_create(
        [KKSCustody(household=h, holder=Household.KKSHolder.PENGURUS, since=today,
                    note=_("Registered at import"), recorded_by=actor) for h in new_households if h.kks_number],
        batch_size=1000,
    )
    events.extend(
        build_event(actor=actor, action=AuditEvent.Action.CREATE, obj=h, household_id=h.pk, city_code=h.kelurahan_id[:5],
                    changes={field: [None, value] for field, value in _created_values(h).items()},
                    message=_("registry import"))
        for h in new_households
    )

    progress(total // 3, total, _("Writing members"))
    _write_members(households, by_id_kpm, created_ids, result, actor, events)

    progress(2 * total // 3, total, _("Assigning facilitators"))
    moves = defaultdict(list)
    for parsed in households:
        username = parsed.values.get("pendamping")
        if not username:
            continue
        household = by_id_kpm[parsed.id_kpm]
        facilitator = lookups["facilitators"][username]
        if household.facilitator_id != facilitator.pk:
            moves[facilitator].append(household)
    for facilitator, moving in moves.items():
        result.assignments_changed += assignment.move_households(
            moving, facilitator=facilitator, actor=actor, on=today, reason=_("registry import"), events=events,
        )
    # One event for the import as a whole (the file's figures), beside the events of each household and member;
    # a file that changed nothing (imported again) leaves no trace, like its rows.
    cities = sorted({h.kelurahan_id[:5] for h in (by_id_kpm[p.id_kpm] for p in households)})
    if events:
        events.append(build_event(
            actor=actor, action=AuditEvent.Action.IMPORT, object_type="beneficiaries.household",
            object_repr=_("Registry import"), city_code=cities[0] if len(cities) == 1 else "",
            changes={name: value for name, value in result.counts().items() if name not in ("errors", "written")}
            | {"cities": cities},
            message=_("registry import: %(count)s households") % {"count": len(households)},
        ))
    audit_record_many(events)
    progress(total, total, _("Done"))


def _created_values(household: Household) -> dict:
    """The fields of a household created by an import, as its audit event shows them."""
    return {"id_kpm": household.id_kpm, "no_kk": household.no_kk, "kelurahan": household.kelurahan_id,
            "address": household.address, "bank": household.bank, "kks_number": household.kks_number,
            "joined_year": household.joined_year, "decile": household.decile, "status": household.status}


def _write_members(households, by_id_kpm, created_ids, result: ImportResult, actor, events) -> None:
    member_fields = (
        "name", "sex", "birth_date", "relationship", "is_pengurus", "pregnant", "expected_delivery_date",
        "pregnancy_order", "school", "severe_disability",
    )
    in_file = {p.id_kpm for p in households}
    existing_ids = [h.pk for h in by_id_kpm.values() if h.pk not in created_ids and h.id_kpm in in_file]
    current: dict[tuple[int, str], Member] = {}
    for chunk in _chunks(existing_ids):
        for member in Member.objects.filter(household_id__in=chunk):
            current[(member.household_id, member.nik)] = member
    seen = set()
    new_members, changed_members = [], []
    changed_fields: set[str] = set()
    # Whoever is pengurus now but is not the file's pengurus is cleared first, so that the
    # household has at most one pengurus at every moment (a database constraint).
    file_pengurus = {(by_id_kpm[p.id_kpm].pk, m.nik) for p in households for m in p.members if m.is_pengurus}
    losing_pengurus = {m.pk for key, m in current.items() if m.is_pengurus and key not in file_pengurus}
    for key, member in current.items():
        if member.pk in losing_pengurus:
            member.is_pengurus = False
    for parsed in households:
        household = by_id_kpm[parsed.id_kpm]
        for pm in parsed.members:
            key = (household.pk, pm.nik)
            seen.add(key)
            wanted = {f: getattr(pm, f) for f in member_fields}
            member = current.get(key)
            if member is None:
                new_members.append(Member(household=household, nik=pm.nik, **wanted))
                continue
            changes = {f: [getattr(member, f), value] for f, value in wanted.items() if getattr(member, f) != value}
            if member.exit_reason:
                # The registry lists the person again: they are back in the household.
                changes["exit_reason"], changes["exit_date"] = [member.exit_reason, ""], [member.exit_date, None]
                member.exit_reason, member.exit_date = "", None
            if member.pk in losing_pengurus:
                changes["is_pengurus"] = [True, False]
            if not changes:
                continue
            for f, value in wanted.items():
                setattr(member, f, value)
            member.updated_at = timezone.now()
            changed_fields.update(changes)
            changed_members.append(member)
            events.append(build_event(actor=actor, action=AuditEvent.Action.UPDATE, obj=member, household_id=household.pk,
                                      city_code=household.kelurahan_id[:5], changes=changes, message=_("registry import")))
    city_of = {h.pk: h.kelurahan_id[:5] for h in by_id_kpm.values()}
    for key, member in current.items():
        if member.pk in losing_pengurus and key not in seen:
            events.append(build_event(actor=actor, action=AuditEvent.Action.UPDATE, obj=member, household_id=member.household_id,
                                      city_code=city_of.get(member.household_id, ""),
                                      changes={"is_pengurus": [True, False]}, message=_("registry import")))
    for chunk in _chunks(losing_pengurus):
        Member.objects.filter(pk__in=chunk).update(is_pengurus=False)
    if changed_members:
        Member.objects.bulk_update(changed_members, sorted(changed_fields | {"updated_at"}), batch_size=UPDATE_BATCH)
    Member.objects.bulk_create(new_members, batch_size=2000)
    # Each new member is a change of their family (a new household's members, a birth, a move in).
    events.extend(
        build_event(actor=actor, action=AuditEvent.Action.CREATE, obj=m, household_id=m.household_id,
                    city_code=city_of.get(m.household_id, ""),
                    changes={f: [None, getattr(m, f)] for f in ("nik", *member_fields)}, message=_("registry import"))
        for m in new_members
    )
    touched_households = {m.household_id for m in changed_members} | {m.household_id for m in new_members if m.household_id not in created_ids}
    for chunk in _chunks(touched_households):
        Household.objects.filter(pk__in=chunk).update(version=F("version") + 1, updated_at=timezone.now())
    result.members_created = len(new_members)
    result.members_updated = len(changed_members)
    result.members_unchanged = sum(len(p.members) for p in households) - len(new_members) - len(changed_members)
    result.members_not_in_file = sum(1 for key, m in current.items() if key not in seen and not m.exit_reason)
    if result.members_not_in_file:
        result.warnings.append(Problem(0, "nik", ngettext("%(count)s member in the registry is not in the file; it was left unchanged.",
                                                "%(count)s members in the registry are not in the file; they were left unchanged.",
                                                result.members_not_in_file)
                                       % {"count": result.members_not_in_file}))
