"""Commission on collected revenue for the monthly pay statement (PRF-3).

The performance app builds pay statements from registered pay-line providers; this one pays each
person ``{commission_rate}`` of the money received in the month on their contracts and confirmed
by finance (ORD-2). One line per person, traceable to the receipts it is computed from; a receipt
reversed before the statement is issued no longer counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import CharField, StringAgg, Sum, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext

from yingxiao.core.sql import id_list
from yingxiao.performance.evaluations import month_end_instant
from yingxiao.performance.models import PayLine
from yingxiao.performance.pay import CENT, PayLineSpec
from yingxiao.performance.selectors import month_bounds
from yingxiao.policy.values import policy_value

from .models import Receipt


# rule: PRF-3 — commission on collected revenue.
def commission_lines(month: dt.date, person_ids: list[int]) -> Iterable[tuple[int, PayLineSpec]]:
    start, end = month_bounds(month)
    rate = Decimal(str(policy_value("commission_rate", at=month_end_instant(month))))
    # Summed per person by the database, the receipts' ids alongside (a month can hold 100,000
    # receipts: a Python loop over them was most of issuing's time).
    rows = (
        Receipt.objects.filter(
            owner_id__in=id_list(person_ids),
            status=Receipt.Status.CONFIRMED,
            received_on__gte=start,
            received_on__lt=end,
        )
        .values("owner_id")
        .annotate(
            collected=Sum("amount"),
            ids=StringAgg(Cast("pk", CharField()), Value(",")),  # ordered below: SQLite cannot order it
        )
        .order_by("owner_id")
    )
    template = gettext("Commission: %(rate)s%% of %(collected)s collected")  # once: gettext is slow per call
    for row in rows:
        collected = Decimal(row["collected"]).quantize(CENT)
        label = template % {"rate": rate, "collected": collected}
        amount = (collected * rate / 100).quantize(CENT, ROUND_HALF_UP)
        ids = tuple(sorted(int(pk) for pk in row["ids"].split(",")))
        yield row["owner_id"], PayLineSpec(PayLine.Kind.COMMISSION, label, amount, "sales.Receipt", ids)
