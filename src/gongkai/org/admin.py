"""Read-only admin: every change goes through actions (and so the ledger); the admin is for looking."""

from django.contrib import admin

from .models import Constituency, Person, RoleAssignment, Unit


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "depth", "active")
    search_fields = ("code", "name")


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("employee_no", "name", "unit", "is_active")
    search_fields = ("employee_no", "name")
    list_select_related = ("unit",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("person", "unit", "role", "title")
    list_select_related = ("person", "unit")


@admin.register(Constituency)
class ConstituencyAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "unit")
