"""Request types the engine ships with; the owning apps add their callbacks by registering again.

- ``blacklist`` (CUS-3): approved by the marketing management — the sales/marketing director.
- ``data_change``: a correction of a record's data, approved by the head of the department.

``violation`` and ``reward`` (DIS-1, DIS-2) are registered by the performance app.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .registry import StepSpec, get_request_type, register_request_type

DIRECTOR_ROLE = "sales_director"


def register_defaults() -> None:
    # Another app may already have registered these with its callbacks: never overwrite it.
    if get_request_type("blacklist") is None:
        # rule: CUS-3 — a blacklist needs the approval of the marketing management (the director).
        register_request_type(
            "blacklist",
            _("Customer blacklist"),
            steps=[StepSpec("role", role_code=DIRECTOR_ROLE, name="销售总监")],
        )
    if get_request_type("data_change") is None:
        register_request_type(
            "data_change",
            _("Data change"),
            steps=[StepSpec("department_head", name="部门主管")],
        )
