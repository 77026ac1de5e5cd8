"""Request types of attendance corrections, outings, trips and leave (HR-2…HR-5), duty swaps (HR-10)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.registry import StepSpec, register_request_type
from yingxiao.policy.catalog import BY_NAME

DIRECTOR_ROLE = "sales_director"
GM_ROLE = "general_manager"
_ABOVE = Decimal("0.5")  # leave is counted in (half) days: "more than 3 days" starts at 3.5


def leave_steps(tier1: int, tier2: int) -> list[StepSpec]:
    """rule: HR-5 — head; more than ``tier1`` days + director; more than ``tier2`` days + GM."""
    return [
        StepSpec("department_head", name="部门主管"),
        StepSpec("role", role_code=DIRECTOR_ROLE, name="销售总监", days_at_least=Decimal(tier1) + _ABOVE),
        StepSpec("role", role_code=GM_ROLE, name="总经理", days_at_least=Decimal(tier2) + _ABOVE),
    ]


def register_leave_type(tier1: int, tier2: int) -> None:
    from . import leave

    register_request_type(
        leave.LEAVE_REQUEST,
        _("Leave"),
        steps=leave_steps(tier1, tier2),
        on_approved=leave.leave_on_approved,
        on_rejected=leave.leave_on_rejected,
        on_cancelled=leave.leave_on_cancelled,
    )


def register_approval_types() -> None:
    from . import attendance, roster, trips

    # rule: HR-2 — a correction of attendance is approved by the superior.
    register_request_type(
        attendance.CORRECTION_REQUEST,
        _("Attendance correction"),
        steps=[StepSpec("superior", name="直接上级")],
        on_approved=attendance.correction_on_approved,
        on_rejected=attendance.correction_on_rejected,
    )
    # rule: HR-3 — an outing is approved by the superior.
    register_request_type(
        trips.OUTING_REQUEST,
        _("Outing"),
        steps=[StepSpec("superior", name="直接上级")],
        on_approved=trips.outing_on_approved,
        on_rejected=trips.outing_on_rejected,
    )
    # rule: HR-4 — a business trip is approved by the superior.
    register_request_type(
        trips.TRIP_REQUEST,
        _("Business trip"),
        steps=[StepSpec("superior", name="直接上级")],
        on_approved=trips.trip_on_approved,
        on_rejected=trips.trip_on_rejected,
    )
    # rule: HR-10 — handing a duty to a colleague is approved by the department head.
    register_request_type(
        roster.SWAP_REQUEST,
        _("Duty swap"),
        steps=[StepSpec("department_head", name="部门主管")],
        on_approved=roster.swap_on_approved,
        on_rejected=roster.swap_on_rejected,
    )
    # The policy's defaults here; leave_request re-registers with the values in force before the
    # flow is first stored (later changes of the tiers are made on the flow, in the admin).
    register_leave_type(BY_NAME["leave_tier1_days"].default, BY_NAME["leave_tier2_days"].default)
