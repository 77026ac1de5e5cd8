"""The business modules of the demo, in the order their data depends on each other."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .marketing import build_marketing
from .org import open_back_office_scope
from .people import build_people
from .planning import build_planning
from .sales import build_sales
from .service import build_service
from .story import Story
from .telesales import build_telesales
from .workforce import build_workforce

MODULES: list[tuple[str, Callable[[Story], None]]] = [
    ("sales", build_sales),
    ("service", build_service),
    ("telesales", build_telesales),
    ("workforce", build_workforce),
    ("marketing", build_marketing),
    ("planning", build_planning),
    ("people", build_people),
]


def build_modules(story: Story) -> dict[str, float]:
    """Run every module builder; returns the seconds each took (the command reports them)."""
    open_back_office_scope()
    seconds: dict[str, float] = {}
    # Sending a quote renders its PDF; weasyprint reports each rendering step at INFO level.
    progress = logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.WARNING)
    try:
        for name, build in MODULES:
            started = time.monotonic()
            build(story)
            seconds[name] = time.monotonic() - started
    finally:
        progress.setLevel(level)
    return seconds


# What the command prints per module: (count key, label); keys a small demo may not reach are skipped.
SUMMARY: dict[str, list[tuple[str, str]]] = {
    "sales": [
        ("products", "products"), ("price_lists", "price lists"), ("quotes", "quotes"),
        ("quotes_sent", "sent as PDF"), ("quotes_awaiting_discount_approval", "awaiting discount approval"),
        ("quote_requests", "non-standard requests"), ("deposits", "deposits"), ("orders", "orders"),
        ("contracts", "contracts"), ("receipts", "receipts confirmed by finance"), ("invoices", "invoices"),
        ("shipments", "shipments"), ("shipments_delivered", "with signed receipt"), ("write_offs", "write-offs"),
    ],
    "service": [
        ("complaints", "complaints"), ("complaints_closed", "closed"), ("aftersales_records", "after-sales records"),
        ("aftersales_reports", "monthly reports"),
    ],
    "telesales": [
        ("call_lists", "call lists"), ("call_entries", "numbers"), ("call_entries_excluded", "excluded"),
        ("calls", "calls logged"), ("call_corrections", "correction requests"), ("receptions", "reception records"),
    ],
    "workforce": [
        ("attendance_records", "attendance records"), ("late_arrivals", "late"), ("leaves", "leave requests"),
        ("leaves_pending", "pending"), ("duty_assignments", "duty assignments"), ("meetings", "meetings"),
        ("work_reports", "work reports"),
    ],
    "marketing": [
        ("campaigns", "campaigns"), ("campaign_invitations", "invitations"), ("media_plans", "media plans"),
        ("roadshows", "roadshows"), ("competitor_entries", "competitor entries"),
    ],
    "planning": [
        ("target_plans", "target plans"), ("targets", "targets"), ("person_targets", "personal"),
        ("budgets", "budgets"), ("expense_claims", "expense claims"), ("gift_requests", "gift requests"),
    ],
    "people": [
        ("training_sessions", "training sessions"), ("training_attendance", "attendances"),
        ("violations", "violations"), ("violations_paid", "paid"), ("rewards", "rewards"),
        ("evaluations", "evaluations"), ("pay_statements", "pay statements"),
        ("pay_statements_confirmed", "confirmed"),
    ],
}  # fmt: skip


def summary_lines(counts: dict[str, int], seconds: dict[str, float]) -> list[str]:
    """One line per module for the command's report: what was written and how long it took."""
    lines = []
    for name, _build in MODULES:
        parts = [f"{counts[key]} {label}" for key, label in SUMMARY.get(name, []) if counts.get(key)]
        lines.append(f"{name:<10} {seconds.get(name, 0.0):5.1f}s  " + (", ".join(parts) or "—"))
    return lines
