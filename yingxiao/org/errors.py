"""Error codes of the organisation app."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

DEPARTMENT_CYCLE = ErrorCode(
    "org.department_cycle", _("A department cannot be moved under itself or its own sub-department.")
)
DEPARTMENT_NOT_EMPTY = ErrorCode(
    "org.department_not_empty", _("The department still has active positions or sub-departments; move them first.")
)
POSITION_CYCLE = ErrorCode("org.position_cycle", _("A position cannot report to itself or to a position below it."))
ALREADY_HOLDS = ErrorCode("org.already_holds", _("This employee already holds this position."))
