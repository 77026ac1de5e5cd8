"""Admin: read-mostly views of the archive; writes belong to the services (CUS-2 keys, CUS-9 history)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Contact, Customer, CustomerIdentity, DuplicateAttempt, OwnershipChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only logs and service-maintained rows: visible, never edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "phone", "email", "is_primary"]
    readonly_fields = fields
    can_delete = False


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["name", "phone", "stage", "grade", "owner", "department", "registered_at"]
    list_filter = ["stage", "grade", "source", "is_blacklisted"]
    list_select_related = ["owner", "department"]
    search_fields = ["name_normalized", "phone_normalized"]
    inlines = [ContactInline]
    show_full_result_count = False


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["name", "customer", "phone", "email", "is_primary"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]


@admin.register(CustomerIdentity)
class CustomerIdentityAdmin(ReadOnlyAdmin):
    list_display = ["kind", "value", "customer", "contact"]
    list_filter = ["kind"]
    list_select_related = ["customer", "contact"]
    search_fields = ["value"]


@admin.register(DuplicateAttempt)
class DuplicateAttemptAdmin(ReadOnlyAdmin):
    list_display = ["attempted_at", "attempted_by", "existing", "kind", "value", "channel"]
    list_filter = ["kind", "channel"]
    list_select_related = ["attempted_by", "existing"]


@admin.register(OwnershipChange)
class OwnershipChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "customer", "old_owner", "new_owner", "changed_by", "rule_id"]
    list_select_related = ["customer", "old_owner", "new_owner", "changed_by"]
