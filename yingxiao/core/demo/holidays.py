"""China's public holidays and 调休 make-up working days, as the business calendar's exceptions.

OFFICIAL SCHEDULE AS WE BELIEVE IT CORRECT — transcribed from the State Council notices
(国务院办公厅关于2025年部分节假日安排的通知, published 2024-11-12;
国务院办公厅关于2026年部分节假日安排的通知, published 2025-11-04). 2027 is not included: its notice was
not known when this table was written — add it here (or in the admin) once published.
Every date listed as HOLIDAY is a day off, including the weekend days inside a holiday block; every
WORKDAY is a weekend day that is worked (调休上班).
"""

from __future__ import annotations

import datetime as dt

HOLIDAY = "holiday"
WORKDAY = "workday"


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# (name, first day off, last day off, make-up working days)
_SCHEDULE: list[tuple[str, str, str, tuple[str, ...]]] = [
    # 2025
    ("元旦", "2025-01-01", "2025-01-01", ()),
    ("春节", "2025-01-28", "2025-02-04", ("2025-01-26", "2025-02-08")),
    ("清明节", "2025-04-04", "2025-04-06", ()),
    ("劳动节", "2025-05-01", "2025-05-05", ("2025-04-27",)),
    ("端午节", "2025-05-31", "2025-06-02", ()),
    ("国庆节、中秋节", "2025-10-01", "2025-10-08", ("2025-09-28", "2025-10-11")),
    # 2026
    ("元旦", "2026-01-01", "2026-01-03", ("2026-01-04",)),
    ("春节", "2026-02-15", "2026-02-23", ("2026-02-14", "2026-02-28")),
    ("清明节", "2026-04-04", "2026-04-06", ()),
    ("劳动节", "2026-05-01", "2026-05-05", ("2026-05-09",)),
    ("端午节", "2026-06-19", "2026-06-21", ()),
    ("中秋节", "2026-09-25", "2026-09-27", ()),
    ("国庆节", "2026-10-01", "2026-10-07", ("2026-09-20", "2026-10-10")),
]


def official_calendar() -> list[tuple[dt.date, str, str]]:
    """(date, kind, name) for every exception day, sorted by date."""
    rows: list[tuple[dt.date, str, str]] = []
    for name, first, last, workdays in _SCHEDULE:
        rows.extend((day, HOLIDAY, name) for day in _span(_d(first), _d(last)))
        rows.extend((_d(day), WORKDAY, f"{name}调休上班") for day in workdays)
    return sorted(rows)
