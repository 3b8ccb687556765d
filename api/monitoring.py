"""Transaction-monitoring endpoints: the reconciliation flags and the monthly reports. Flags come from
monitoring.flags (visible_flags: a facilitator's families; for the city's roles also the bank rows that
match no family); reports from monitoring.report_selectors, which give a facilitator only the reports with
figures of their caseload, and of those only their own figures and flagged families, as the report page."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers

from api.common import ID_PARAMETER, errors
from api.params import (
    DateRangeQuery,
    HourMinuteField,
    HouseholdRefSerializer,
    IdQueryField,
    KelurahanQueryField,
    PersonSerializer,
    date_range,
    query_params,
)
from core.templatetags.pkh import mask_id
from livelihood.selectors import month_start
from monitoring import flags, report_selectors
from monitoring.models import EventKind, FlagCode, Match
from org import access

# --- flags ----------------------------------------------------------------------------------------


class FlagSerializer(serializers.Serializer):
    """A flag: its code (fixed), its label and what it says in words (in the request's language), and the
    figures behind it (`detail`: amounts, components, ages, places; card numbers masked)."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.ChoiceField(choices=FlagCode.choices, read_only=True)
    label = serializers.SerializerMethodField()
    sentences = serializers.SerializerMethodField()
    household = HouseholdRefSerializer(read_only=True, allow_null=True,
                                       help_text=_("Null for a bank row that matches no family."))
    id_kpm = serializers.CharField(read_only=True)
    city_code = serializers.CharField(read_only=True)
    kelurahan = serializers.CharField(source="household.kelurahan_id", read_only=True, allow_null=True, default=None)
    facilitator = PersonSerializer(source="household.facilitator", read_only=True, allow_null=True, default=None)
    year = serializers.IntegerField(read_only=True, allow_null=True)
    stage = serializers.IntegerField(read_only=True, allow_null=True)
    occurred_on = serializers.DateField(read_only=True, allow_null=True)
    expected = serializers.IntegerField(read_only=True, allow_null=True)
    credited = serializers.IntegerField(read_only=True, allow_null=True)
    detail = serializers.JSONField(read_only=True)
    has_case = serializers.BooleanField(read_only=True, help_text=_("A case opened from this flag is open."))
    computed_at = serializers.DateTimeField(read_only=True)

    def get_label(self, flag) -> str:
        return str(FlagCode(flag.code).label)

    def get_sentences(self, flag) -> list[str]:
        return flags.flag_sentences(flag.code, flag.detail)


class BankEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    bank = serializers.CharField(read_only=True)
    ref = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    year = serializers.IntegerField(read_only=True)
    stage = serializers.IntegerField(read_only=True)
    occurred_on = serializers.DateField(read_only=True)
    occurred_time = HourMinuteField(read_only=True, allow_null=True)
    amount = serializers.IntegerField(read_only=True)
    balance = serializers.IntegerField(read_only=True, allow_null=True)
    location = serializers.CharField(read_only=True)
    kks = serializers.SerializerMethodField(help_text=_("The KKS number, masked."))
    match = serializers.ChoiceField(choices=Match.choices, read_only=True)

    def get_kks(self, event) -> str:
        return mask_id(event.kks_number)


class FlagDetailSerializer(FlagSerializer):
    case = serializers.SerializerMethodField(help_text=_("The open case opened from this flag, if any."))
    events = serializers.SerializerMethodField()

    def get_case(self, flag) -> int | None:
        view = flags.flag_views(self.context["request"].user, [flag])[0]
        return view.case.pk if view.case else None

    @extend_schema_field(BankEventSerializer(many=True))
    def get_events(self, flag):
        return BankEventSerializer(flags.flag_events(self.context["request"].user, flag), many=True).data


class FlagQuery(DateRangeQuery):
    code = serializers.ChoiceField(choices=FlagCode.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=2007, max_value=2100)
    stage = serializers.IntegerField(required=False, min_value=1, max_value=4)
    kelurahan = KelurahanQueryField()
    facilitator = serializers.RegexField(r"^(none|\d+)$", required=False,
                                         help_text=_("A facilitator's id, or none for families without one."))
    household = IdQueryField(help_text=_("A household's id."))
    waiting = serializers.BooleanField(required=False, default=False, help_text=_("Only flags without an open case."))


@extend_schema(tags=["Transaction monitoring"], parameters=[FlagQuery], summary="Transaction flags",
               responses={200: FlagSerializer(many=True), **errors(400, 401, 403, 404)})
class FlagList(generics.ListAPIView):
    """The reconciliation flags you see, latest stage first; `from`/`to` filter on the flag's date (the bank
    event's), `year` and `stage` on the disbursement stage."""

    serializer_class = FlagSerializer

    def get_queryset(self):
        user = self.request.user
        params = query_params(self.request, FlagQuery)
        filters = flags.FlagFilters(
            code=params.get("code", ""), kelurahan=params.get("kelurahan", ""),
            facilitator=params.get("facilitator", "") if access.can_view_city(user) else "",
            household=params.get("household"), waiting=params["waiting"])
        found = flags.flag_list(user, filters)
        if params.get("year") is not None:
            found = found.filter(year=params["year"])
        if params.get("stage") is not None:
            found = found.filter(stage=params["stage"])
        return date_range(found, params, "occurred_on")


@extend_schema(tags=["Transaction monitoring"], parameters=[ID_PARAMETER], summary="A transaction flag with its bank rows",
               responses={200: FlagDetailSerializer, **errors(401, 403, 404)})
class FlagDetail(generics.RetrieveAPIView):
    serializer_class = FlagDetailSerializer

    def get_object(self):
        flag = flags.flag_for_page(self.request.user, self.kwargs["pk"])
        return flags.with_open_case(self.request.user, flags.visible_flags(self.request.user)).select_related(
            "household__kelurahan", "household__facilitator").get(pk=flag.pk)


# --- monthly reports ------------------------------------------------------------------------------


class ReportVersionSerializer(serializers.Serializer):
    """One stored version of a city's monthly report. `row_counts` only for the city's roles."""

    id = serializers.IntegerField(source="pk", read_only=True)
    city = serializers.CharField(source="city_code", read_only=True)
    city_name = serializers.CharField(read_only=True)
    month = serializers.CharField(read_only=True, help_text=_("YYYY-MM"))
    version = serializers.IntegerField(read_only=True)
    latest = serializers.BooleanField(read_only=True, help_text=_("The newest version of this month."))
    checksum = serializers.CharField(read_only=True, help_text=_("SHA-256 of the figures."))
    generated_at = serializers.DateTimeField(read_only=True)
    built_by = serializers.CharField(read_only=True)
    row_counts = serializers.DictField(child=serializers.IntegerField(), read_only=True, allow_null=True)


class ReportDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="report.pk", read_only=True)
    city = serializers.CharField(source="report.city_id", read_only=True)
    city_name = serializers.CharField(source="report.city.name", read_only=True)
    month = serializers.SerializerMethodField()
    version = serializers.IntegerField(source="report.version", read_only=True)
    checksum = serializers.CharField(source="report.checksum", read_only=True)
    generated_at = serializers.DateTimeField(source="report.generated_at", read_only=True)
    params = serializers.JSONField(source="report.params", read_only=True,
                                   help_text=_("What the report was built with: stages, withdrawal window, age buckets."))
    own = serializers.BooleanField(read_only=True, help_text=_(
        "A facilitator's view: the totals are their caseload's, the area tables are empty, the flags their own."))
    figures = serializers.JSONField(source="content", read_only=True, help_text=_(
        "The stored report: city, month, generated_at, totals, by_kecamatan, by_kelurahan, by_facilitator, flags "
        "(as `python manage.py monthly_report --output FILE.json` writes it)."))

    def get_month(self, view) -> str:
        return f"{view.report.month:%Y-%m}"


class ReportQuery(DateRangeQuery):
    kota = serializers.CharField(required=False, help_text=_("Regency/city code, e.g. 31.75."))
    latest = serializers.BooleanField(required=False, default=False,
                                      help_text=_("Only the newest version of each month."))


class _Row:
    """A report version as the list gives it."""

    def __init__(self, month, version, *, latest: bool, counts: bool):
        self.pk, self.version, self.checksum = version.pk, version.version, version.checksum
        self.city_code, self.city_name, self.month = month.city_code, month.city_name, f"{month.month:%Y-%m}"
        self.generated_at, self.built_by, self.latest = version.generated_at, str(version.built_by), latest
        self.row_counts = version.row_counts if counts else None


@extend_schema(tags=["Transaction monitoring"], parameters=[ReportQuery], summary="Monthly reports",
               responses={200: ReportVersionSerializer(many=True), **errors(400, 401, 403, 404)})
class ReportList(generics.ListAPIView):
    """The stored monthly reports you may open, newest month first, every version (newest first); `from`/`to`
    keep the months that overlap the period. A facilitator sees the reports with figures of their caseload."""

    serializer_class = ReportVersionSerializer

    def get_queryset(self):
        user = self.request.user
        params = query_params(self.request, ReportQuery)
        counts = access.can_view_city(user)
        months = report_selectors.report_months(user, city=params.get("kota", ""))
        if params.get("from"):
            months = [m for m in months if m.month >= month_start(params["from"])]
        if params.get("to"):
            months = [m for m in months if m.month <= params["to"]]
        return [_Row(m, v, latest=i == 0, counts=counts) for m in months
                for i, v in enumerate(m.versions[:1] if params["latest"] else m.versions)]


@extend_schema(tags=["Transaction monitoring"], parameters=[ID_PARAMETER], summary="A monthly report's figures",
               responses={200: ReportDetailSerializer, **errors(401, 403, 404)})
class ReportDetail(generics.RetrieveAPIView):
    serializer_class = ReportDetailSerializer

    def get_object(self):
        report = report_selectors.get_report_or_404(self.request.user, self.kwargs["pk"])
        return report_selectors.report_view(self.request.user, report)

