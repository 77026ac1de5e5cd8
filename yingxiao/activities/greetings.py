"""Birthday and holiday greetings (CUS-12): which occasions fall in the next days, and for whom.

Holidays come from the business calendar (``CalendarDay`` holidays with a name: the first day of
each run, e.g. the first day of the 国庆 week). A year whose calendar has not been entered falls
back to the main festivals below, so the reminder is never silently lost.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from yingxiao.core.models import CalendarDay
from yingxiao.customers.models import Contact, Customer

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.utils.functional import Promise

    from yingxiao.org.models import User

# Fixed-date festivals, every year.
FIXED_FESTIVALS: dict[tuple[int, int], Promise] = {
    (1, 1): _("New Year's Day"),
    (5, 1): _("Labour Day"),
    (10, 1): _("National Day"),
}
# Lunar festivals: their Gregorian dates (published calendar), for years without a CalendarDay entry.
LUNAR_FESTIVALS: dict[dt.date, Promise] = {
    **{
        dt.date.fromisoformat(day): _("Spring Festival")
        for day in ("2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03")
    },
    **{
        dt.date.fromisoformat(day): _("Mid-Autumn Festival")
        for day in ("2025-10-06", "2026-09-25", "2027-09-15", "2028-10-03", "2029-09-22", "2030-09-12")
    },
}


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def holidays_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """Named holidays starting between ``start`` and ``end`` (inclusive), in date order."""
    rows = dict(
        CalendarDay.objects.filter(
            kind=CalendarDay.Kind.HOLIDAY,
            date__gte=start - dt.timedelta(days=1),
            date__lte=end,
        )
        .exclude(name="")
        .values_list("date", "name")
    )
    found: dict[dt.date, str] = {}
    for day, name in rows.items():
        if start <= day <= end and rows.get(day - dt.timedelta(days=1)) != name:
            found[day] = name
    entered_years = set(
        CalendarDay.objects.filter(kind=CalendarDay.Kind.HOLIDAY, date__year__in={start.year, end.year})
        .values_list("date__year", flat=True)
        .distinct()
    )
    for day in _days(start, end):
        if day.year in entered_years:
            continue
        name = LUNAR_FESTIVALS.get(day) or FIXED_FESTIVALS.get((day.month, day.day))
        if name is not None:
            found[day] = str(name)
    return sorted(found.items())


def _birthday_in(birthday: dt.date, days: list[dt.date]) -> dt.date | None:
    """The day in ``days`` that is this birthday; 29 February is celebrated on the 28th in other years."""
    for day in days:
        if (day.month, day.day) == (birthday.month, birthday.day):
            return day
        leap_birthday = (birthday.month, birthday.day) == (2, 29)
        if leap_birthday and (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            return day
    return None


def birthdays_between(start: dt.date, end: dt.date, contacts: QuerySet[Contact] | None = None) -> list[dict[str, Any]]:
    """Contacts of owned, active customers whose birthday falls between ``start`` and ``end``.

    One query (an OR of month/day pairs, at most the lead time long); each row carries ``on``,
    the date of the birthday in the window.
    """
    days = _days(start, end)
    pairs = {(day.month, day.day) for day in days}
    if any((day.month, day.day) == (2, 28) and not calendar.isleap(day.year) for day in days):
        pairs.add((2, 29))
    condition = Q(pk__in=[])
    for month, day in sorted(pairs):
        condition |= Q(birthday__month=month, birthday__day=day)
    base = contacts if contacts is not None else Contact.objects.all()
    rows = list(
        base.filter(condition)
        .filter(customer__owner__isnull=False, customer__is_archived=False, customer__is_blacklisted=False)
        .values("pk", "name", "birthday", "customer_id", "customer__name", "customer__owner_id")
        .order_by("pk")
    )
    for row in rows:
        row["on"] = _birthday_in(row["birthday"], days)
    return [row for row in rows if row["on"] is not None]


def owners_with_customers() -> QuerySet[Any]:
    """Each owner with the number of active customers to greet on a holiday (one GROUP BY)."""
    return (
        Customer.objects.filter(owner__isnull=False, owner__is_active=True, is_archived=False, is_blacklisted=False)
        .values("owner_id")
        .annotate(customers=Count("pk"))
        .order_by("owner_id")
    )


@dataclass(frozen=True)
class Occasion:
    """One upcoming greeting on the actor's greetings page."""

    on: dt.date
    kind: str  # "birthday" or "holiday"
    name: str
    contact: str = ""
    customer_id: int | None = None
    customer: str = ""


def upcoming_greetings(actor: User, *, start: dt.date, end: dt.date) -> list[Occasion]:
    """Birthdays of the actor's customers' contacts and holidays between ``start`` and ``end``."""
    # rule: CUS-12
    contacts = Contact.objects.restrict(actor, "view").filter(customer__owner=actor)
    items = [
        Occasion(row["on"], "birthday", row["name"], row["name"], row["customer_id"], row["customer__name"])
        for row in birthdays_between(start, end, contacts)
    ]
    items += [Occasion(day, "holiday", name) for day, name in holidays_between(start, end)]
    return sorted(items, key=lambda o: (o.on, o.kind, o.name))
