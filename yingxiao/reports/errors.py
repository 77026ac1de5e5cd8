"""Error codes of the dashboards and reports (KPI section of rules.md)."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

BAD_PERIOD = ErrorCode(
    "reports.bad_period", _("Choose a period as YYYY-MM (month), YYYY-Qn (quarter), YYYY (year) or YYYY-Www (week).")
)
UNKNOWN_KPI = ErrorCode("reports.unknown_kpi", _("There is no such indicator."), 404)
DEPARTMENT_OUT_OF_SCOPE = ErrorCode(
    "reports.department_out_of_scope", _("The department does not exist or is outside your data scope."), 404
)
NO_PERMISSION = ErrorCode("reports.no_permission", _("You do not have permission to see the dashboards."), 403)
