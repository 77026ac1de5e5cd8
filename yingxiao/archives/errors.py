"""Error codes of archives, borrowing and access (ARC-1, ARC-2)."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

NO_PERMISSION = ErrorCode("archives.no_permission", _("You do not have permission to do this."), 403)
REQUIRED = ErrorCode("archives.required", _("This field is required: %(field_name)s."))
BAD_VALUE = ErrorCode("archives.bad_value", _("The value of %(field_name)s is invalid."))
NOT_CLEARED = ErrorCode(
    "archives.not_cleared",
    _("You are not cleared for %(level)s documents: ask the sales director or the general manager."),
    403,
)
NEEDS_BORROWING = ErrorCode(
    "archives.needs_borrowing",
    _("This document is kept outside your department: borrow it (借阅) with an approved request first."),
    403,
)
NO_FILE = ErrorCode("archives.no_file", _("No file is stored with this document."), 404)
DUPLICATE_NUMBER = ErrorCode("archives.duplicate_number", _("Another document already has this number."), 409)
DUE_IN_PAST = ErrorCode("archives.due_in_past", _("The due date must be today or later."))
DUE_TOO_LATE = ErrorCode(
    "archives.due_too_late", _("An archive may be borrowed for at most %(days)s days (due by %(latest)s).")
)
ALREADY_LENT = ErrorCode(
    "archives.already_lent", _("This document is lent out until it is returned (due %(due)s)."), 409
)
ALREADY_REQUESTED = ErrorCode(
    "archives.already_requested", _("You already have an open borrowing request for this document."), 409
)
NOT_LENT = ErrorCode("archives.not_lent", _("Only a lent document can be returned."), 409)
VOID = ErrorCode("archives.void", _("This document is void."), 409)
FILE_TOO_LARGE = ErrorCode("archives.file_too_large", _("The file is larger than %(limit)s MB."))
