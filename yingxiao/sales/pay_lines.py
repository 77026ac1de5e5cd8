"""Commission on collected revenue for the monthly pay statement (PRF-3).

The performance app builds pay statements from registered pay-line providers; this one pays each
person ``{commission_rate}`` of the money received in the month on their contracts and confirmed
by finance (ORD-2). One line per person, traceable to the receipts it is computed from; a receipt
reversed before the statement is issued no longer counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext

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
    receipts: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    rows = Receipt.objects.filter(
        owner_id__in=person_ids, status=Receipt.Status.CONFIRMED, received_on__gte=start, received_on__lt=end
    ).values_list("owner_id", "pk", "amount")
    for owner_id, pk, amount in rows.order_by("received_on", "pk"):
        receipts[owner_id].append((pk, amount))
    for owner_id, items in receipts.items():
        collected = sum((amount for _pk, amount in items), Decimal("0.00"))
        label = gettext("Commission: %(rate)s%% of %(collected)s collected") % {"rate": rate, "collected": collected}
        amount = (collected * rate / 100).quantize(CENT, ROUND_HALF_UP)
        yield (
            owner_id,
            PayLineSpec(PayLine.Kind.COMMISSION, label, amount, "sales.Receipt", tuple(pk for pk, _ in items)),
        )
