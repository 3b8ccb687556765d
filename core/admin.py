"""The audit trail in the admin: read-only, no add, no change, no delete, no bulk action; and the mixin that
writes the admin's own changes of audited records to the trail."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from core.audit import audit_owner, audit_record, diff
from core.models import AuditEvent, Job


class SettingsAdmin(admin.ModelAdmin):
    """A one-row settings model (thresholds as data): edited here, never added twice nor deleted; the model's
    `current()` creates the row on first use."""

    def has_add_permission(self, request):
        return not self.model.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; nobody adds, changes or deletes them here (rows written only by a computation,
    an import or a service)."""

    actions = None
    show_full_result_count = False

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_username", "action", "object_type", "object_repr", "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("actor_username", "object_repr", "object_id")
    date_hierarchy = "at"
    show_full_result_count = False
    actions = None  # no bulk action (delete_selected) on an append-only table

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "status", "created_by", "created_at", "finished_at", "input_name")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False


class AuditedAdminMixin:
    """For a model admin that may add, change or delete records of the change history (households, members,
    visits, businesses, ...): each save and delete in the admin, inline rows included, is written to the audit
    trail like the same change on the pages — who, the fields before → after, the family and the city."""

    def _audit_values(self, obj, names) -> dict:
        values = {}
        for name in names:
            try:
                field = obj._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.concrete and not field.many_to_many:
                values[name] = getattr(obj, name, None)
        return values

    def _audit_saved(self, request, obj, *, created: bool, before: dict, names) -> None:
        changes = diff(before, self._audit_values(obj, names))
        if created or changes:
            audit_record(actor=request.user, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
                         obj=obj, changes=changes, message=_("Django admin"), **audit_owner(obj))

    def _audit_deleted(self, request, obj) -> None:
        names = [f.name for f in obj._meta.concrete_fields if not f.primary_key]
        audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj,
                     changes={name: [pair[1], None] for name, pair in diff({}, self._audit_values(obj, names)).items()
                              if pair[1] not in (None, "")},
                     message=_("Django admin"), **audit_owner(obj))

    def _stored(self, obj):
        return type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None

    def save_model(self, request, obj, form, change):
        names = list(form.changed_data) if change else [f.name for f in obj._meta.concrete_fields if not f.primary_key]
        stored = self._stored(obj) if change else None
        before = self._audit_values(stored, names) if stored is not None else {}
        super().save_model(request, obj, form, change)
        self._audit_saved(request, obj, created=not change, before=before, names=names)

    def delete_model(self, request, obj):
        self._audit_deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit_deleted(request, obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Inline rows (a household's members, a business's monthly figures): each added, changed or deleted row."""
        before = {}
        for inline_form in formset.initial_forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed():
                stored = self._stored(instance)
                if stored is not None:
                    before[instance.pk] = self._audit_values(stored, inline_form.changed_data)
        deleting = [inline_form.instance for inline_form in formset.deleted_forms if inline_form.instance.pk]
        for instance in deleting:
            self._audit_deleted(request, instance)
        super().save_formset(request, form, formset, change)
        for instance in formset.new_objects:
            self._audit_saved(request, instance, created=True, before={},
                              names=[f.name for f in instance._meta.concrete_fields if not f.primary_key])
        for instance, changed in formset.changed_objects:
            self._audit_saved(request, instance, created=False, before=before.get(instance.pk, {}), names=changed)
