"""The month's pay statements as a spreadsheet (PRF-3): one sheet of statements, one of their lines.

Written through the shared export control (``yingxiao.core.exports``: permission, caps, log and
formula escaping with ``safe_cell``), so a name like ``=HYPERLINK(…)`` is never read as a formula.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from yingxiao.core.exports import Sheet

from .models import PayStatement


def statements_sheets(statements: list[PayStatement]) -> list[Sheet]:
    header = [
        _("Employee"),
        _("Department"),
        _("Grade"),
        _("Base pay"),
        _("Performance pay"),
        _("Commission"),
        _("Fines"),
        _("Rewards"),
        _("Total"),
        _("Status"),
        _("Confirmed at"),
    ]
    rows: list[list[Any]] = []
    lines: list[list[Any]] = []
    for row in statements:
        rows.append(
            [
                str(row.person),
                row.department.name if row.department_id and row.department else "",
                row.get_grade_display() if row.grade else "",
                row.base,
                row.performance,
                row.commission,
                row.fines,
                row.rewards,
                row.total,
                row.get_status_display(),
                f"{row.confirmed_at:%Y-%m-%d %H:%M}" if row.confirmed_at else "",
            ]
        )
        for line in row.lines.all():
            lines.append(
                [
                    str(row.person),
                    line.get_kind_display(),
                    line.label,
                    line.amount,
                    line.source_model,
                    ", ".join(str(i) for i in line.source_ids),
                ]
            )
    line_header = [_("Employee"), _("Kind"), _("Label"), _("Amount"), _("Source"), _("Source records")]
    return [Sheet(_("Pay statements"), rows, header=header), Sheet(_("Lines"), lines, header=line_header)]
