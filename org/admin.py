"""Administrator screens for regions, staff and the caseload norm."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from org.models import CaseloadNorm, FacilitatorProfile, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "code_list")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    show_full_result_count = False


class FacilitatorProfileInline(admin.StackedInline):
    model = FacilitatorProfile
    can_delete = False
    filter_horizontal = ("kelurahan",)
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "facilitator_profile__background")
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ("cities", "groups", "user_permissions")
    fieldsets = BaseUserAdmin.fieldsets + ((_("Role in PKH"), {"fields": ("role", "cities", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Role in PKH"), {"fields": ("role", "first_name", "last_name")}),)
    inlines = [FacilitatorProfileInline]


@admin.register(CaseloadNorm)
class CaseloadNormAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "minimum", "maximum", "note")
