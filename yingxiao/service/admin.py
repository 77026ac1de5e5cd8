from django.contrib import admin

from .models import AfterSalesRecord, AfterSalesReport, Complaint


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-mostly: complaints change only through the services (the transition table)."""

    list_display = ["id", "received_at", "customer", "category", "status", "responsible_department"]
    list_filter = ["status", "category"]
    readonly_fields = ["status", "version", "assign_due_at", "close_due_at", "assigned_at", "closed_at"]


admin.site.register(AfterSalesRecord)
admin.site.register(AfterSalesReport)
