"""Admin: flows and their steps are configuration; requests and decisions are read-only records."""

from django.contrib import admin

from .models import Decision, Flow, Instance, Step


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["order", "name", "kind", "role_code", "amount_at_least", "days_at_least", "pct_at_least"]


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    list_display = ["request_type", "name", "is_active"]
    inlines = [StepInline]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    readonly_fields = ["step_order", "decision", "actor", "acted_for", "note", "decided_at", "signature"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Instance)
class InstanceAdmin(admin.ModelAdmin):
    list_display = ["title", "request_type", "requester", "status", "current_approver", "submitted_at"]
    list_filter = ["status", "request_type"]
    inlines = [DecisionInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
