"""Error codes of complaints and after-sales (CMP-1…CMP-9)."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

REQUIRED = ErrorCode("service.required", _("This field is required: %(field_name)s."))
BAD_CATEGORY = ErrorCode("service.bad_category", _("Choose the category: quality, service or other."))
QUALITY_DETAILS = ErrorCode(
    "service.quality_details",
    _("A quality complaint also records invoice, product, specification, quantity, grade and purchase date."),
)
BAD_VALUE = ErrorCode("service.bad_value", _("The value of %(field_name)s is invalid."))
BAD_TRANSITION = ErrorCode("service.bad_transition", _("A complaint that is %(status)s cannot be %(action)s."), 409)
NOT_HANDLER = ErrorCode(
    "service.not_handler", _("Only the responsible department (or the director) can do this for the complaint."), 403
)
NOT_CUSTOMER_SERVICE = ErrorCode(
    "service.not_customer_service", _("Only customer service or the responsible department can do this."), 403
)
NO_PERMISSION = ErrorCode("service.no_permission", _("You do not have permission to do this."), 403)
NO_APPROVED_SOLUTION = ErrorCode(
    "service.no_approved_solution", _("The complaint cannot be closed: its solution has not been approved."), 409
)
NO_SURVEY = ErrorCode(
    "service.no_survey",
    _("The complaint cannot be closed: no verification call and satisfaction survey has been recorded."),
    409,
)
FINE_OUT_OF_RANGE = ErrorCode(
    "service.fine_out_of_range", _("The fine for this complaint must be between %(low)s and %(high)s yuan.")
)
FINE_REQUIRED = ErrorCode(
    "service.fine_required",
    _("The complaint is attributable: choose a fine between %(low)s and %(high)s yuan on the complaint page."),
)
NOT_APPROVER = ErrorCode("service.not_approver", _("The solution is not waiting for your approval."), 403)
NO_APPROVER = ErrorCode("service.no_approver", _("Nobody can approve the solution: the director post is vacant."))
BAD_PERIOD = ErrorCode("service.bad_period", _("A period is written YYYY-MM or YYYY-Qn."))
REPORT_SUBMITTED = ErrorCode("service.report_submitted", _("This month's report has already been submitted."), 409)
