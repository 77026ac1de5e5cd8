"""HR-9: training assessment feeds performance — the ``training`` indicator of the monthly evaluation."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from yingxiao.performance.indicators import IndicatorResult, SourceRef

from .models import Attendance

if TYPE_CHECKING:
    from yingxiao.org.models import User


# rule: HR-9 — the month's assessment scores, averaged, are the person's training indicator.
def training_assessment(person: User, month: dt.date) -> IndicatorResult | None:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    rows = list(
        Attendance.objects.filter(
            person=person,
            attended=True,
            score__isnull=False,
            session__starts_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
            session__starts_at__lt=timezone.make_aware(dt.datetime.combine(end, dt.time.min)),
        )
        .order_by("pk")
        .values_list("pk", "score")
    )
    if not rows:
        return None
    mean = (sum((score for _pk, score in rows), Decimal(0)) / len(rows)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return IndicatorResult(
        mean,
        detail=f"{len(rows)} assessments",
        sources=(SourceRef("training.Attendance", tuple(pk for pk, _s in rows)),),
    )
