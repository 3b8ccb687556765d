"""Administrator screens of graduation: the poverty lines, the versioned classification rules, and the
assessments and screening results (read-only: they are recorded by facilitators and by the screening).

Rules versions are never changed: "add" starts from the latest version, and saving makes the next
version. A version that a stored result or a proposal used cannot be deleted.
"""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Max, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record, diff
from core.models import AuditEvent
from core.templatetags.pkh import rupiah
from graduation import candidates, classifier
from graduation.models import Assessment, GraduationRules, PovertyLine, ScreeningResult
from graduation.reasons import describe
from org import access

RULE_FIELDS = tuple(name for name in classifier.RuleSet.__dataclass_fields__ if name != "version")


# --- poverty lines ---------------------------------------------------------------------------------

@admin.register(PovertyLine)
class PovertyLineAdmin(admin.ModelAdmin):
    list_display = ("region", "region_code", "year", "amount_rupiah", "source")
    list_filter = ("year", "region__level")
    search_fields = ("region__name", "region__code", "source")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)
    ordering = ("region__code", "-year")

    @admin.display(description=gettext_lazy("code"), ordering="region__code")
    def region_code(self, obj):
        return obj.region_id

    @admin.display(description=gettext_lazy("rupiah per person per month"), ordering="amount")
    def amount_rupiah(self, obj):
        return rupiah(obj.amount)


# --- versioned rules ---------------------------------------------------------------------------------

def latest_rules() -> GraduationRules | None:
    return GraduationRules.objects.order_by("-version").first()


@transaction.atomic
def rules_version_create(*, actor, rules: GraduationRules) -> GraduationRules:
    """Save `rules` (unsaved) as the next version, by `actor`; audited."""
    # Lock the latest version so two administrators saving at once get different numbers.
    list(GraduationRules.objects.select_for_update().order_by("-version")[:1])
    rules.version = (GraduationRules.objects.aggregate(top=Max("version"))["top"] or 0) + 1
    rules.created_by = actor
    rules.created_at = timezone.now()
    rules.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=rules,
                 changes=diff({}, {name: getattr(rules, name) for name in ("valid_from", "note", *RULE_FIELDS)}),
                 message=_("Graduation rules version %(version)d") % {"version": rules.version})
    return rules


class GraduationRulesForm(forms.ModelForm):
    class Meta:
        model = GraduationRules
        fields = ("valid_from", "note", *(name for name in RULE_FIELDS if name not in ("valid_from", "note")))

    def clean_valid_from(self):
        day = self.cleaned_data["valid_from"]
        latest = latest_rules()
        if day and latest is not None and day < latest.valid_from:
            raise forms.ValidationError(_(
                "Version %(version)d is valid from %(date)s: a new version cannot start earlier, or results "
                "already computed would no longer match their rules.") % {
                "version": latest.version, "date": date_format(latest.valid_from, "DATE_FORMAT")})
        return day

    def clean(self):
        data = super().clean()
        weights = [data.get(name) for name in ("weight_assets", "weight_savings", "weight_jkn", "weight_p2k2",
                                               "weight_years")]
        threshold = data.get("score_threshold")
        if None not in weights and threshold is not None and threshold > sum(weights):
            self.add_error("score_threshold", _("The score needed (%(threshold)d) is more than the weights add up to "
                                                "(%(total)d): no family could reach it.") % {
                "threshold": threshold, "total": sum(weights)})
        return data


@admin.register(GraduationRules)
class GraduationRulesAdmin(admin.ModelAdmin):
    form = GraduationRulesForm
    list_display = ("version", "valid_from", "is_current", "note", "created_by", "created_at")
    list_select_related = ("created_by",)
    ordering = ("-version",)
    actions = None  # no bulk delete: each version is checked for use on its own delete page
    fieldsets = (
        (None, {"fields": ("valid_from", "note")}),
        (gettext_lazy("Natural graduation"), {"fields": ("max_eligible_decile", "horizon_months")}),
        (gettext_lazy("Independent-prosperous candidate: required"), {"fields": (
            "assessment_max_age_months", "income_multiple", "business_min_months", "min_housing_level")}),
        (gettext_lazy("Independent-prosperous candidate: weighted"), {"fields": (
            ("min_assets", "weight_assets"), ("min_savings_months", "weight_savings"), "weight_jkn",
            ("min_p2k2_percent", "weight_p2k2"), ("min_years_in_program", "weight_years"), "score_threshold")}),
    )

    def get_queryset(self, request):
        current = (GraduationRules.objects.filter(valid_from__lte=timezone.localdate())
                   .order_by("-version").values("version")[:1])
        return super().get_queryset(request).annotate(current_version=Subquery(current))

    @admin.display(description=gettext_lazy("in use today"), boolean=True)
    def is_current(self, obj):
        return obj.version == getattr(obj, "current_version", None)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        saved = (gettext_lazy("Version"), {"fields": ("version", "is_current", "created_by", "created_at")})
        return (saved, *self.fieldsets)

    def get_readonly_fields(self, request, obj=None):
        return ("version", "is_current", "created_by", "created_at") if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        return False  # a saved version is never changed: add a new one

    def has_delete_permission(self, request, obj=None):
        if obj is not None and candidates.rules_version_in_use(obj.version):
            return False
        return super().has_delete_permission(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        latest = latest_rules()
        if latest is not None:
            for name in RULE_FIELDS:
                initial.setdefault(name, getattr(latest, name))
        initial["valid_from"] = initial.get("valid_from") or timezone.localdate()
        initial.setdefault("note", "")
        return initial

    def save_model(self, request, obj, form, change):
        rules_version_create(actor=request.user, rules=obj)

    def changelist_view(self, request, extra_context=None):
        current = GraduationRules.objects.filter(valid_from__lte=timezone.localdate()).order_by("-version").first()
        if current is not None:
            self.message_user(request, _("Version %(version)d is in use today (valid from %(date)s). To change the "
                                         "rules, add a new version: it starts from the latest one.") % {
                "version": current.version, "date": date_format(current.valid_from, "DATE_FORMAT")})
        return super().changelist_view(request, extra_context)


# --- read-only records ------------------------------------------------------------------------------

class ReadOnlyScopedAdmin(admin.ModelAdmin):
    """Rows recorded elsewhere: listed through org.access, never added, changed or deleted here."""

    def get_queryset(self, request):
        return access.scoped(request.user, super().get_queryset(request))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyScopedAdmin):
    list_display = ("household", "number", "assessed_on", "assessor", "per_capita", "housing", "jkn",
                    "wants_to_graduate")
    list_filter = ("assessed_on", "jkn", "wants_to_graduate")
    search_fields = ("household__id_kpm",)
    list_select_related = ("household", "assessor")
    date_hierarchy = "assessed_on"
    show_full_result_count = False

    @admin.display(description=gettext_lazy("income per person per month"))
    def per_capita(self, obj):
        return rupiah(obj.income_per_capita)

    @admin.display(description=gettext_lazy("housing score"))
    def housing(self, obj):
        return f"{classifier.housing_score(obj)}/{classifier.HOUSING_MAX}"


@admin.register(ScreeningResult)
class ScreeningResultAdmin(ReadOnlyScopedAdmin):
    list_display = ("household", "classification", "score", "decisive", "as_of", "rules_version", "computed_at")
    list_filter = ("classification", "rules_version", "as_of")
    search_fields = ("household__id_kpm",)
    list_select_related = ("household",)
    show_full_result_count = False
    fields = ("household", "as_of", "classification", "score", "rules_version", "checks_in_words", "components",
              "annual_entitlement", "computed_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("decided by"))
    def decisive(self, obj):
        check = candidates.decisive_check(obj.classification, obj.checks)
        return describe(check) if check else ""

    @admin.display(description=gettext_lazy("checks"))
    def checks_in_words(self, obj):
        marks = {True: "✓", False: "✗", None: "·"}
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{} {}</li>", ((marks[check.passed], describe(check)) for check in candidates.as_checks(obj.checks))))
