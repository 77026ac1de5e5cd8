"""The complaint-solution request type, registered with the approvals engine (CMP-3)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.registry import StepSpec, register_request_type

DIRECTOR_ROLE = "sales_director"


def register_approval_types() -> None:
    from . import services

    # rule: CMP-3 — the marketing director (销售/营销总监) approves the solution.
    register_request_type(
        services.SOLUTION_REQUEST,
        _("Complaint solution"),
        steps=[StepSpec("role", role_code=DIRECTOR_ROLE, name="销售总监")],
        on_approved=services.solution_on_approved,
        on_rejected=services.solution_on_rejected,
    )
