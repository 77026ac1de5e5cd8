"""Request type of archive borrowing (借阅, ARC-1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.registry import StepSpec, register_request_type


def register_approval_types() -> None:
    from . import services

    # rule: ARC-1 — "经总经理或销售总监签批": the sales director approves; when the director is away
    # without a delegate, vacant, or the borrower, the step walks up to the general manager.
    register_request_type(
        services.BORROW_REQUEST,
        _("Archive borrowing"),
        steps=[StepSpec("role", role_code="sales_director", name="销售总监/总经理")],
        on_approved=services.borrowing_on_approved,
        on_rejected=services.borrowing_on_rejected,
        on_cancelled=services.borrowing_on_cancelled,
    )
