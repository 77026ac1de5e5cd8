from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AttendanceCorrection, AttendanceRecord, Leave, LeaveEntitlement, Outing, Trip


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
