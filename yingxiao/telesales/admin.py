from django.contrib import admin

from .models import CallList, ReceptionRecord


@admin.register(CallList)
class CallListAdmin(admin.ModelAdmin[CallList]):
    list_display = ["name", "owner", "department", "created_at"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(ReceptionRecord)
class ReceptionRecordAdmin(admin.ModelAdmin[ReceptionRecord]):
    list_display = ["customer", "met_at", "recorded_by"]
    readonly_fields = ["recorded_by", "created_at"]
