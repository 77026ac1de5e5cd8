from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

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
