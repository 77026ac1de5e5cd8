"""The call-correction request type, registered with the approvals engine (TEL-3)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.registry import StepSpec, register_request_type


def register_approval_types() -> None:
    from . import corrections

    # rule: TEL-3 — the agent's superior approves a correction of a logged call.
    register_request_type(
        corrections.CORRECTION_REQUEST,
        _("Call record correction"),
        steps=[StepSpec("superior")],
        on_approved=corrections.correction_on_approved,
        on_rejected=corrections.correction_on_rejected,
    )
