from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Budget, CorrectiveAction, ExpenseClaim, GiftRequest, Reallocation, Target, TargetPlan


@admin.register(TargetPlan, Target, CorrectiveAction, Budget, ExpenseClaim, GiftRequest)
class PlanningAdmin(SimpleHistoryAdmin):
    """History of every planning record; changes go through the pages (services), not here."""

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Reallocation)
class ReallocationAdmin(admin.ModelAdmin):
    list_display = ["target", "old_amount", "new_amount", "actor", "at"]

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
