"""Admin: read the contact log and its history; contacts are logged through the app (activity_log)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity, Inquiry, InquiryTeam, KeyAccount


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


@admin.register(InquiryTeam)
class InquiryTeamAdmin(admin.ModelAdmin):
    """Which team receives each inquiry channel (ACT-5); a blank channel receives all others."""

    list_display = ["channel", "department", "last_assigned_at"]
    raw_id_fields = ["department"]


@admin.register(Inquiry)
class InquiryAdmin(SimpleHistoryAdmin):
    list_display = ["received_at", "channel", "subject", "assigned_to", "status"]
    list_filter = ["channel", "status"]
    search_fields = ["subject", "sender_name", "sender_email"]
    list_select_related = ["assigned_to"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Inquiries arrive through inquiry_receive: fair distribution and its audit log.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(KeyAccount)
class KeyAccountAdmin(SimpleHistoryAdmin):
    list_display = ["customer", "level", "is_active", "designated_by", "designated_at"]
    list_filter = ["level", "is_active"]
    raw_id_fields = ["customer", "designated_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
