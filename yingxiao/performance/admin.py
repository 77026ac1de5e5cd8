"""Admin: fines and rewards are read here; they change only through the services."""

from django.contrib import admin

from .models import Reward, Violation


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Violation)
class ViolationAdmin(_ReadOnly):
    list_display = ["person", "rule_id", "kind", "amount", "status", "booked_on", "due_on", "repeat_flagged"]
    list_filter = ["status", "kind", "rule_id"]


@admin.register(Reward)
class RewardAdmin(_ReadOnly):
    list_display = ["person", "kind", "amount", "status", "booked_on"]
    list_filter = ["status", "kind"]
