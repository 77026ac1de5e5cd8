"""Request types of expense claims (PLN-4) and gifts (PLN-5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.registry import StepSpec, register_request_type
from yingxiao.policy.catalog import BY_NAME

EXPENSE_REQUEST = "expense_claim"
GIFT_REQUEST = "gift_request"
DIRECTOR_ROLE = "sales_director"
GM_ROLE = "general_manager"


# rule: PLN-4 — approval authority by amount (expense_tier1_amount, expense_tier2_amount).
def expense_steps(tier1: Any, tier2: Any) -> list[StepSpec]:
    """rule: PLN-4 — approval authority by amount: head; from ``tier1`` + director; from ``tier2`` + GM."""
    return [
        StepSpec("department_head", name="部门主管"),
        StepSpec("role", role_code=DIRECTOR_ROLE, name="销售总监", amount_at_least=Decimal(str(tier1))),
        StepSpec("role", role_code=GM_ROLE, name="总经理", amount_at_least=Decimal(str(tier2))),
    ]


def register_expense_type(tier1: Any, tier2: Any) -> None:
    from . import expenses

    register_request_type(
        EXPENSE_REQUEST,
        _("Expense claim"),
        steps=expense_steps(tier1, tier2),
        on_approved=expenses.claim_on_approved,
        on_rejected=expenses.claim_on_rejected,
        on_cancelled=expenses.claim_on_cancelled,
    )


def register_approval_types() -> None:
    from . import expenses

    # The policy's defaults; expense_claim_submit re-registers with the values in force before the
    # flow is first stored (later changes of the tiers are made on the flow, in the admin).
    register_expense_type(BY_NAME["expense_tier1_amount"].default, BY_NAME["expense_tier2_amount"].default)
    # rule: PLN-5 — a gift is approved by the manager (礼品申请表, 经理签字) before it is handed out.
    register_request_type(
        GIFT_REQUEST,
        _("Gift request"),
        steps=[StepSpec("department_head", name="部门主管")],
        on_approved=expenses.gift_on_approved,
        on_rejected=expenses.gift_on_rejected,
        on_cancelled=expenses.gift_on_cancelled,
    )
