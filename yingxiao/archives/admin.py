from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Borrowing, Document, DocumentAccess, ExportLog


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ("number", "title", "level", "department", "custodian", "status")
    list_filter = ("level", "status", "category")
    search_fields = ("number", "title")


@admin.register(Borrowing)
class BorrowingAdmin(SimpleHistoryAdmin):
    list_display = ("document", "borrower", "due_date", "status", "condition")
    list_filter = ("status",)


@admin.register(DocumentAccess)
class DocumentAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "document", "action", "level")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "list_name", "row_count", "file_format", "status")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
