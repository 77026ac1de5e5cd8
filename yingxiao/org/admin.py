from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Assignment, Department, Position, Role, User


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "display_name", "employee_no", "status", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Yingxiao", {"fields": ["display_name", "employee_no", "phone", "status", "absent_until", "delegate"]}),
    )


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "parent", "path", "is_active"]
    readonly_fields = ["path"]

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        # The tree path (and the subtree's, on a move) is maintained by the service only.
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "parent"}
            updated = services.department_update(
                actor=request.user, department=obj, parent=form.cleaned_data.get("parent"), **fields
            )
        else:
            updated = services.department_create(
                actor=request.user,
                name=obj.name,
                code=obj.code,
                parent=obj.parent,
                kind=obj.kind,
                sort_order=obj.sort_order,
            )
        obj.pk, obj.path = updated.pk, updated.path


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "data_scope"]
    filter_horizontal = ["permissions"]


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "department", "role", "superior", "is_head"]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "position", "is_primary", "started_on", "ended_on"]
