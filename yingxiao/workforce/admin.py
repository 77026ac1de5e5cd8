from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AttendanceCorrection,
    AttendanceRecord,
    DutyAssignment,
    DutyPost,
    DutySwap,
    Leave,
    LeaveEntitlement,
    Meeting,
    Outing,
    Trip,
    UnattendedPost,
    WorkReport,
)


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(SimpleHistoryAdmin):
    list_display = ["person", "day", "clock_in", "clock_out", "late_tier", "early_tier", "mark"]
    list_filter = ["day", "late_tier", "early_tier"]
    readonly_fields = ["clock_in", "clock_out", "late_minutes", "early_minutes", "late_tier", "early_tier"]


@admin.register(LeaveEntitlement)
class LeaveEntitlementAdmin(SimpleHistoryAdmin):
    list_display = ["person", "year", "annual_days"]
    list_filter = ["year"]


admin.site.register([AttendanceCorrection, Outing, Trip])
admin.site.register(Leave, SimpleHistoryAdmin)


@admin.register(WorkReport)
class WorkReportAdmin(SimpleHistoryAdmin):
    list_display = ["person", "kind", "period_start", "submitted_at", "is_late", "recipient", "acknowledged_at"]
    list_filter = ["kind", "is_late", "status"]
    readonly_fields = ["submitted_at", "acknowledged_at", "acknowledged_by", "due_at", "is_late"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "organiser", "starts_at", "status"]
    list_filter = ["kind", "status"]


admin.site.register([DutyPost, DutyAssignment], SimpleHistoryAdmin)
admin.site.register([DutySwap, UnattendedPost])
