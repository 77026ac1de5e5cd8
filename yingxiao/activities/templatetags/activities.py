"""Template helpers for the customer panel (activities/_customer_panel.html)."""

from __future__ import annotations

from django import template

from yingxiao.customers.models import Customer

from ..forms import ActivityLogForm

register = template.Library()


@register.simple_tag
def activity_log_form(customer: Customer, form: ActivityLogForm | None = None) -> ActivityLogForm:
    """The form the panel shows: the one being redisplayed with errors, or a fresh one."""
    return form if isinstance(form, ActivityLogForm) else ActivityLogForm(customer=customer)
