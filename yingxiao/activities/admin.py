"""Admin: read the contact log and its history; contacts are logged through the app (activity_log)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["occurred_at", "kind", "customer", "staff", "subject", "is_qualifying", "routed_to"]
    list_filter = ["kind", "is_qualifying", "direction"]
    search_fields = ["subject", "customer__name", "staff__display_name"]
    list_select_related = ["customer", "staff", "routed_to"]
    raw_id_fields = ["customer", "contact", "staff", "routed_to"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Logging must go through activity_log: scope, validation, last-served and notices.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
