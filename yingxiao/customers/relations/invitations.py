"""Event invitations and their conflicts (邀约查重, CUS-8).

- A customer invited and confirmed (敲定) by one department for an event cannot be invited by
  another: the refusal names the department. At most one confirmed invitation per customer and
  event is also a database constraint, so two departments confirming at once cannot both win.
- An invitation logged at or after ``invite_cutoff`` (18:00 Asia/Shanghai) counts for the next
  day (每晚6点后再邀约算作第二天邀约). The next day is the next *calendar* day, not the next working
  day: invitation lists are exchanged every evening in the week before an event, weekends and
  holidays included, so a holiday does not move the count.
- Two departments with open invitations of one customer for one event are a conflict; the
  coordinator (协调助理) picks the winner, the others are withdrawn, and the decision is recorded.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.notifications import notify
from yingxiao.org.models import User
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_value

from ..models import Customer, Invitation, InvitationResolution
from .common import customer_for, customer_link, lazy_format, require, text, versioned
from .errors import (
    EVENT_REQUIRED,
    INVITATION_CLOSED,
    INVITATION_DUPLICATE,
    INVITATION_TAKEN,
    NO_CONFLICT,
    NO_DEPARTMENT,
)

CONFLICT_LIMIT = 200


def event_key(name: str) -> str:
    """The event name as compared: full/half width, case and spaces do not matter."""
    return "".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def counts_for(logged_at: dt.datetime) -> dt.date:
    """rule: CUS-8 — the day an invitation counts for: the next calendar day from ``invite_cutoff`` on."""
    local = timezone.localtime(logged_at)
    cutoff: dt.time = policy_value("invite_cutoff", at=logged_at)
    return local.date() + dt.timedelta(days=1) if local.time() >= cutoff else local.date()


def _same_event(invitation: Invitation) -> Q:
    return Q(customer_id=invitation.customer_id, event_key=invitation.event_key, event_date=invitation.event_date)


def _refuse_if_taken(invitation: Invitation, customer: Customer) -> None:
    """rule: CUS-8 — another department's confirmed invitation blocks this one; the error names it."""
    taken = (
        Invitation.objects.filter(_same_event(invitation), status=Invitation.Status.CONFIRMED)
        .exclude(department_id=invitation.department_id)
        .exclude(pk=invitation.pk)
        .select_related("department")
        .first()
    )
    if taken is not None:
        raise BusinessError(
            INVITATION_TAKEN, customer=customer.name, event=taken.event_name, department=taken.department.name
        )


def _confirm_guarded(invitation: Invitation, customer: Customer) -> None:
    """Save a confirmed invitation; the database's one-confirmed constraint settles a race."""
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        _refuse_if_taken(invitation, customer)
        raise


def invitation_create(
    *,
    actor: User,
    customer: Customer,
    event_name: str,
    event_date: dt.date,
    confirmed: bool = False,
    note: str = "",
) -> Invitation:
    """Log an invitation by the actor's department; ``confirmed`` when the customer has agreed (敲定)."""
    require(actor, "customers.add_invitation")
    name = text(event_name, field="event_name", max_length=200, required=False)
    if not event_key(name):
        raise BusinessError(EVENT_REQUIRED, field="event_name")
    note = text(note, field="note", max_length=500, required=False)
    department = primary_department(actor)
    if department is None:
        raise BusinessError(NO_DEPARTMENT)
    now = timezone.now()
    with transaction.atomic():
        customer_for(actor, customer, "view")
        locked = Customer.objects.select_for_update().get(pk=customer.pk)  # one customer's invitations in turn
        invitation = Invitation(
            customer=locked,
            event_name=name,
            event_key=event_key(name),
            event_date=event_date,
            department=department,
            inviter=actor,
            logged_at=now,
            counts_for_date=counts_for(now),
            note=note,
        )
        _refuse_if_taken(invitation, locked)
        own = (
            Invitation.objects.filter(_same_event(invitation), department=department, status__in=Invitation.ACTIVE)
            .select_related("inviter")
            .first()
        )
        if own is not None:
            raise BusinessError(INVITATION_DUPLICATE, customer=locked.name, event=own.event_name, inviter=own.inviter)
        if confirmed:
            invitation.status, invitation.confirmed_at = Invitation.Status.CONFIRMED, now
        versioned(invitation, actor, _("Invitation logged"))
        _confirm_guarded(invitation, locked)
    return invitation


def _open_invitation(actor: User, invitation: Invitation) -> tuple[Invitation, Customer]:
    found = Invitation.objects.restrict(actor, "change").filter(pk=invitation.pk).first()
    if found is None:
        raise BusinessError(NOT_FOUND)
    customer = Customer.objects.select_for_update().get(pk=found.customer_id)
    found.refresh_from_db()
    if found.status != Invitation.Status.INVITED:
        raise BusinessError(INVITATION_CLOSED, status=found.get_status_display())
    return found, customer


def invitation_confirm(*, actor: User, invitation: Invitation) -> Invitation:
    """The customer agreed (敲定): refused if another department confirmed the customer for the event first."""
    require(actor, "customers.change_invitation")
    with transaction.atomic():
        found, customer = _open_invitation(actor, invitation)
        _refuse_if_taken(found, customer)
        found.status, found.confirmed_at = Invitation.Status.CONFIRMED, timezone.now()
        versioned(found, actor, _("Invitation confirmed"))
        _confirm_guarded(found, customer)
    return found


def invitation_decline(*, actor: User, invitation: Invitation, note: str = "") -> Invitation:
    """The customer declined the invitation."""
    require(actor, "customers.change_invitation")
    note = text(note, field="note", max_length=500, required=False)
    with transaction.atomic():
        found, _customer = _open_invitation(actor, invitation)
        found.status = Invitation.Status.DECLINED
        if note:
            found.note = note
        versioned(found, actor, _("Invitation declined"))
        found.save()
    return found


@dataclass
class Conflict:
    """Open invitations of one customer for one event by more than one department (CUS-8)."""

    customer: Customer
    event_name: str
    event_date: dt.date
    invitations: list[Invitation] = field(default_factory=list)

    @property
    def suggested(self) -> Invitation:
        """Confirmed first; then the earliest day counted (after the 18:00 cutoff), then the earliest logged."""
        return min(
            self.invitations,
            key=lambda i: (i.status != Invitation.Status.CONFIRMED, i.counts_for_date, i.logged_at, i.pk),
        )


def invitation_conflicts(actor: User, *, event_date: dt.date | None = None) -> list[Conflict]:
    """Open conflicts for the coordinator, earliest event first; three queries whatever their number."""
    require(actor, "customers.resolve_invitation")
    active = Invitation.objects.filter(status__in=Invitation.ACTIVE)
    if event_date is not None:
        active = active.filter(event_date=event_date)
    keys = list(
        active.values("customer_id", "event_key", "event_date")
        .annotate(departments=Count("department_id", distinct=True))
        .filter(departments__gt=1)
        .order_by("event_date", "customer_id", "event_key")[:CONFLICT_LIMIT]
    )
    if not keys:
        return []
    condition = Q(pk__in=[])
    for key in keys:
        condition |= Q(customer_id=key["customer_id"], event_key=key["event_key"], event_date=key["event_date"])
    rows = active.filter(condition).select_related("customer", "department", "inviter")
    grouped: dict[tuple[int, str, dt.date], Conflict] = {}
    for row in rows.order_by("counts_for_date", "logged_at", "pk"):
        conflict = grouped.setdefault(
            (row.customer_id, row.event_key, row.event_date), Conflict(row.customer, row.event_name, row.event_date)
        )
        conflict.invitations.append(row)
    return [grouped[(k["customer_id"], k["event_key"], k["event_date"])] for k in keys]


def invitation_resolve(*, actor: User, winner: Invitation, note: str = "") -> InvitationResolution:
    """The coordinator settles a conflict: ``winner`` is confirmed, other departments' invitations withdrawn."""
    require(actor, "customers.resolve_invitation")
    note = text(note, field="note", max_length=500, required=False)
    now = timezone.now()
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=winner.customer_id).first()
        found = Invitation.objects.filter(pk=winner.pk, status__in=Invitation.ACTIVE).first()
        if found is None:
            raise BusinessError(NO_CONFLICT)
        losers = list(
            Invitation.objects.filter(_same_event(found), status__in=Invitation.ACTIVE)
            .exclude(department_id=found.department_id)
            .order_by("pk")
        )
        if not losers:
            raise BusinessError(NO_CONFLICT)
        for loser in losers:
            loser.status = Invitation.Status.SUPERSEDED
            versioned(loser, actor, _("Withdrawn by the coordinator"))
            loser.save(update_fields=["status"])
        if found.status != Invitation.Status.CONFIRMED:
            found.status, found.confirmed_at = Invitation.Status.CONFIRMED, now
            versioned(found, actor, _("Confirmed by the coordinator"))
            found.save(update_fields=["status", "confirmed_at"])
        resolution = InvitationResolution.objects.create(
            customer_id=found.customer_id,
            event_name=found.event_name,
            event_date=found.event_date,
            winner=found,
            resolved_by=actor,
            resolved_at=now,
            note=note,
            withdrawn=[loser.pk for loser in losers],
        )
        transaction.on_commit(lambda: _notify_resolution(actor, found, losers))
    return resolution


def _notify_resolution(actor: User, winner: Invitation, losers: list[Invitation]) -> None:
    link = customer_link(winner.customer_id)
    customer = winner.customer.name
    message = _("Invitation of %(customer)s to %(event)s: the coordinator gave it to %(department)s.")
    text_ = lazy_format(message, customer=customer, event=winner.event_name, department=winner.department.name)
    for invitation in [winner, *losers]:
        notify(invitation.inviter, message=text_, link=link, actor=actor)
