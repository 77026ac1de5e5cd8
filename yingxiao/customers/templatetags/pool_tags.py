"""``{% pool_panel customer %}``: the customer's blacklist banner, pool status and blacklist request form."""

from __future__ import annotations

from typing import Any

from django import template

from .. import blacklist, pool
from ..models import BlacklistRecord
from ..pool_forms import BlacklistRequestForm

register = template.Library()


@register.inclusion_tag("customers/pool/_panel.html", takes_context=True)
def pool_panel(context: template.Context, customer: Any) -> dict[str, Any]:
    """rule: CUS-3 — the flag is shown with its reason and approver; CUS-7 — in the pool since when and why."""
    request = context.get("request")
    user = getattr(request, "user", None)
    record = blacklist.blacklist_record_of(customer)
    entry = pool.open_entry_of(customer)
    can_request = bool(
        user is not None
        and user.is_authenticated
        and user.has_perm(blacklist.REQUEST_PERMISSION)
        and not customer.is_blacklisted
        and (record is None or record.status != BlacklistRecord.Status.PENDING)
    )
    return {
        "customer": customer,
        "record": record,
        "entry": entry,
        "can_claim": entry is not None and user is not None and pool.can_claim(user),
        "blacklist_form": BlacklistRequestForm() if can_request else None,
        "csrf_token": context.get("csrf_token"),
    }
