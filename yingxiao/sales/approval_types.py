"""The request types of quotes, registered with the approvals engine (QUO-2, QUO-3).

- ``price_deviation`` (QUO-2): a discount beyond ``{price_float_pct}``. The head of the rep's
  department approves; from ``{price_director_pct}`` the sales director too; from
  ``{price_gm_pct}`` the general manager too. The thresholds below are the catalog defaults; the
  stored flow is kept equal to the policy in force at every submission (``quotes._sync_tiers``).
- ``quote_review`` (QUO-3): an international quote, reviewed by the head of the market department.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.registry import StepSpec, register_request_type
from yingxiao.policy.catalog import BY_NAME


def register_approval_types() -> None:
    from .services import quotes

    # rule: QUO-2 — approval by tier (department head, sales director, GM by size of the deviation).
    register_request_type(
        quotes.PRICE_REQUEST,
        _("Price deviation"),
        steps=[
            StepSpec("department_head", name="部门主管"),
            StepSpec(
                "role",
                role_code="sales_director",
                name="销售总监",
                pct_at_least=Decimal(str(BY_NAME["price_director_pct"].default)),
            ),
            StepSpec(
                "role",
                role_code="general_manager",
                name="总经理",
                pct_at_least=Decimal(str(BY_NAME["price_gm_pct"].default)),
            ),
        ],
        on_approved=quotes.on_price_approved,
        on_rejected=quotes.on_refused,
    )
    # rule: QUO-3 — international quotes are reviewed by the market department before sending.
    register_request_type(
        quotes.REVIEW_REQUEST,
        _("International quote review"),
        steps=[StepSpec("department_head", name="市场部主管")],
        on_approved=quotes.on_review_approved,
        on_rejected=quotes.on_refused,
    )


def register_contract_approval_types() -> None:
    from .services import contracts, receivables

    # rule: CON-1 — the commerce group's draft is reviewed by the marketing director (营销总监).
    register_request_type(
        contracts.REVIEW_REQUEST,
        _("Contract review"),
        steps=[StepSpec("role", role_code="sales_director", name="营销总监")],
        on_approved=contracts.on_review_approved,
        on_rejected=contracts.on_review_refused,
    )
    # rule: CON-3 — writing off bad debt needs the marketing director's approval.
    register_request_type(
        receivables.WRITE_OFF_REQUEST,
        _("Bad-debt write-off"),
        steps=[StepSpec("role", role_code="sales_director", name="营销总监")],
        on_approved=receivables.on_write_off_approved,
        on_rejected=receivables.on_write_off_refused,
    )
