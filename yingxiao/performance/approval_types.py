"""The request types of fines and rewards, registered with the approvals engine (DIS-1, DIS-2)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.registry import StepSpec, register_request_type

DIRECTOR_ROLE = "sales_director"


def register_approval_types() -> None:
    from . import services

    # rule: DIS-1 — the marketing director approves a violation (and the supervisor's share with it).
    register_request_type(
        services.VIOLATION_REQUEST,
        _("Violation (fine)"),
        steps=[StepSpec("role", role_code=DIRECTOR_ROLE, name="销售总监")],
        on_approved=services.violation_on_approved,
        on_rejected=services.violation_on_rejected,
    )
    # rule: DIS-2 — rewards are entered the same way.
    register_request_type(
        services.REWARD_REQUEST,
        _("Reward"),
        steps=[StepSpec("role", role_code=DIRECTOR_ROLE, name="销售总监")],
        on_approved=services.reward_on_approved,
        on_rejected=services.reward_on_rejected,
    )
