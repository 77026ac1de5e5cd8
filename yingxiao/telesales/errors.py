"""Error codes of telesales (TEL-1…TEL-5) and reception records (ACT-7)."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

NO_PERMISSION = ErrorCode("telesales.no_permission", _("You do not have permission to do this."), 403)
REQUIRED = ErrorCode("telesales.required", _("This field is required: %(field_name)s."))
BAD_VALUE = ErrorCode("telesales.bad_value", _("The value of %(field_name)s is invalid."))
FILE_TOO_LARGE = ErrorCode(
    "telesales.file_too_large", _("The file is too large: at most %(limit)s MB can be imported at once."), 413
)
TOO_MANY_ROWS = ErrorCode(
    "telesales.too_many_rows", _("The file has too many rows: at most %(limit)s rows can be imported at once.")
)
BAD_FILE = ErrorCode(
    "telesales.bad_file", _("The file cannot be read: upload an Excel (.xlsx, .xls) or CSV file. %(detail)s")
)
NO_COLUMNS = ErrorCode(
    "telesales.no_columns", _("The first row must name the columns; a name column and a phone column are required.")
)
EMPTY_FILE = ErrorCode("telesales.empty_file", _("The file has no data rows."))
ROWS_INVALID = ErrorCode(
    "telesales.rows_invalid",
    _("%(count)s rows have errors; fix the file, or choose to skip the rows with errors."),
)
IMPORT_EXPIRED = ErrorCode("telesales.import_expired", _("The checked import has expired; upload the file again."))
ENTRY_CLOSED = ErrorCode("telesales.entry_closed", _("This number is closed; it cannot be called or screened again."))
CALL_LOCKED = ErrorCode(
    "telesales.call_locked",
    _("A logged call cannot be edited or deleted; submit a change request, which keeps the original."),
    405,
)
CORRECTION_OPEN = ErrorCode(
    "telesales.correction_open", _("A change request for this call is already waiting for approval."), 409
)
NO_CHANGE = ErrorCode("telesales.no_change", _("The change request does not change anything."))
BAD_PERIOD = ErrorCode("telesales.bad_period", _("Choose day, week or month."))
BAD_BACKUP = ErrorCode("telesales.bad_backup", _("The backup file is damaged or of another kind: %(detail)s"))
DUPLICATE_RECEPTION = ErrorCode(
    "telesales.duplicate_reception", _("This meeting with the customer has already been recorded."), 409
)
