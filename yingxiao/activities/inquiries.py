"""Inbound inquiries (询盘, ACT-5): intake, fair distribution among the team, follow-up.

Fair means: the member with the fewest open inquiries gets the next one; among equals, the one
whose last assignment is the oldest (never assigned first); then the lowest id — deterministic,
so anyone can recompute a decision from the candidate snapshot stored with it. Distribution of a
team is serialised by a conditional UPDATE of its ``InquiryTeam`` row (a row lock on
PostgreSQL, the write lock on SQLite), so concurrent arrivals never see the same loads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import CONFLICT, NOT_FOUND, PERMISSION_DENIED, BusinessError
from yingxiao.core.notifications import notify
from yingxiao.customers.models import Customer, CustomerIdentity
from yingxiao.customers.normalize import normalize_email
from yingxiao.org.models import User

from . import errors
from .models import Inquiry, InquiryAssignment, InquiryEvent, InquiryTeam

if TYPE_CHECKING:
    from django.db.models import QuerySet

# house style 5: the follow-up lifecycle of an inquiry.
TRANSITIONS: dict[str, frozenset[str]] = {
    Inquiry.Status.NEW: frozenset({Inquiry.Status.FOLLOWING, Inquiry.Status.CONVERTED, Inquiry.Status.CLOSED}),
    Inquiry.Status.FOLLOWING: frozenset({Inquiry.Status.FOLLOWING, Inquiry.Status.CONVERTED, Inquiry.Status.CLOSED}),
    Inquiry.Status.CONVERTED: frozenset(),
    Inquiry.Status.CLOSED: frozenset(),
}
_TEXT_LIMITS = {"sender_name": 200, "sender_email": 200, "subject": 300, "content": 20000, "external_id": 300}


@dataclass(frozen=True)
class Candidate:
    """A team member as the distribution saw them."""

    user_id: int
    name: str
    open: int
    last_assignment: int  # id of their latest assignment, 0 when never assigned

    def sort_key(self) -> tuple[int, int, int]:
        return (self.open, self.last_assignment, self.user_id)

    def as_json(self) -> dict[str, Any]:
        return {"user": self.user_id, "name": self.name, "open": self.open, "last_assignment": self.last_assignment}


def inquiry_link(inquiry: Inquiry | int) -> str:
    pk = inquiry.pk if isinstance(inquiry, Inquiry) else inquiry
    return reverse("activities:inquiry", args=[pk])


def team_for(channel: str) -> InquiryTeam:
    """The team that receives ``channel`` (a route for "" receives every other channel)."""
    team = InquiryTeam.objects.filter(channel=channel).select_related("department").first()
    team = team or InquiryTeam.objects.filter(channel="").select_related("department").first()
    if team is None:
        raise BusinessError(errors.INQUIRY_NO_TEAM, field="channel", channel=channel)
    return team


def team_candidates(team: InquiryTeam) -> list[Candidate]:
    """Available members of the team with their open inquiries and latest assignment — one query.

    Heads of department take inquiries only when nobody else in the team can.
    """
    today = timezone.localdate()
    open_count = (
        Inquiry.objects.filter(assigned_to=OuterRef("pk"), status__in=Inquiry.OPEN_STATUSES)
        .order_by()
        .values("assigned_to")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last = InquiryAssignment.objects.filter(assigned_to=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    in_team = Q(
        assignments__ended_on__isnull=True,
        assignments__position__is_active=True,
        assignments__position__department__path__startswith=team.department.path,
    )
    available = Q(status=User.Status.ACTIVE) | Q(status=User.Status.ABSENT, absent_until__lt=today)
    rows = list(
        User.objects.filter(in_team, available, is_active=True)
        .annotate(
            open_n=Coalesce(Subquery(open_count, output_field=IntegerField()), Value(0)),
            last_n=Coalesce(Subquery(last, output_field=IntegerField()), Value(0)),
            heads=Count("assignments", filter=Q(in_team, assignments__position__is_head=True)),
            posts=Count("assignments", filter=in_team),
        )
        .values("pk", "display_name", "username", "open_n", "last_n", "heads", "posts")
        .order_by("pk")
    )
    staff = [row for row in rows if row["heads"] < row["posts"]] or rows
    return sorted(
        (Candidate(row["pk"], row["display_name"] or row["username"], row["open_n"], row["last_n"]) for row in staff),
        key=Candidate.sort_key,
    )


def _clean(values: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for name, limit in _TEXT_LIMITS.items():
        text = str(values.get(name) or "").strip()
        cleaned[name] = text[:limit] if name == "content" else text
        if len(text) > limit and name != "content":
            raise BusinessError(errors.TEXT_TOO_LONG, field=name, field_label=name, limit=limit, length=len(text))
    return cleaned


def _match_customer(email: str) -> int | None:
    key = normalize_email(email)
    if not key:
        return None
    found: int | None = (
        CustomerIdentity.objects.filter(kind=CustomerIdentity.Kind.EMAIL, value=key)
        .values_list("customer_id", flat=True)
        .first()
    )
    return found


def _notify_assignee(inquiry: Inquiry, actor: User) -> None:
    notify(
        inquiry.assigned_to,
        message=format_lazy(
            _("New inquiry for you: {subject} (from {sender})"),
            subject=inquiry.subject,
            sender=inquiry.sender_name or inquiry.sender_email,
        ),
        link=inquiry_link(inquiry),
        actor=actor,
    )


def inquiry_receive(
    *,
    actor: User,
    channel: str,
    subject: str,
    content: str = "",
    sender_name: str = "",
    sender_email: str = "",
    received_at: dt.datetime | None = None,
    external_id: str = "",
    customer: Customer | int | None = None,
) -> tuple[Inquiry, bool]:
    """Register an inbound inquiry and hand it to the next team member in fair order (ACT-5).

    Returns ``(inquiry, created)``: the same mail received twice (same channel and external id)
    is the inquiry already registered. The choice and the loads it was made from are logged in
    ``InquiryAssignment``; the assignee is notified after commit.
    """
    # rule: ACT-5
    if not actor.has_perm("activities.add_inquiry"):
        raise BusinessError(PERMISSION_DENIED)
    if channel not in Inquiry.Channel.values:
        raise BusinessError(errors.INQUIRY_UNKNOWN_CHANNEL, field="channel", channel=channel)
    text = _clean(
        {
            "subject": subject,
            "content": content,
            "sender_name": sender_name,
            "sender_email": sender_email,
            "external_id": external_id,
        }
    )
    if not text["subject"]:
        raise BusinessError(errors.INQUIRY_SUBJECT_REQUIRED, field="subject")
    when = received_at or timezone.now()
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    if customer_id is not None and not Customer.objects.filter(pk=customer_id).exists():
        raise BusinessError(NOT_FOUND, field="customer")
    customer_id = customer_id or _match_customer(text["sender_email"])
    team = team_for(channel)
    try:
        with transaction.atomic():
            now = timezone.now()
            # The team row is the distribution lock: held until commit.
            InquiryTeam.objects.filter(pk=team.pk).update(last_assigned_at=now)
            if text["external_id"]:
                existing = Inquiry.objects.filter(channel=channel, external_id=text["external_id"]).first()
                if existing is not None:
                    return existing, False
            candidates = team_candidates(team)
            if not candidates:
                raise BusinessError(errors.INQUIRY_NO_MEMBER, team=str(team.department))
            chosen = candidates[0]
            inquiry = Inquiry(
                channel=channel,
                received_at=when,
                customer_id=customer_id,
                department=team.department,
                assigned_to_id=chosen.user_id,
                assigned_at=now,
                created_by=actor,
                **text,
            )
            inquiry._history_user = actor  # type: ignore[attr-defined]
            inquiry.save()
            InquiryAssignment.objects.create(
                inquiry=inquiry,
                assigned_to_id=chosen.user_id,
                assigned_by=actor,
                assigned_at=now,
                reason=InquiryAssignment.Reason.AUTO,
                candidates=[c.as_json() for c in candidates],
            )
            transaction.on_commit(lambda: _notify_assignee(inquiry, actor))
    except IntegrityError:
        # The same mail arrived through another route at the same instant: it is registered once.
        existing = Inquiry.objects.filter(channel=channel, external_id=text["external_id"]).first()
        if existing is None:
            raise
        return existing, False
    return inquiry, True


def inquiry_for(actor: User, inquiry: Inquiry | int, action: str = "view") -> Inquiry:
    pk = inquiry.pk if isinstance(inquiry, Inquiry) else inquiry
    try:
        found: Inquiry = Inquiry.objects.restrict(actor, action).select_related("assigned_to").get(pk=pk)
    except (Inquiry.DoesNotExist, ValueError, TypeError) as exc:
        raise BusinessError(NOT_FOUND) from exc
    return found


def inquiries_visible_to(actor: User) -> QuerySet[Inquiry]:
    """The actor's inquiries (own, or the team's for a head), with list columns joined in."""
    return Inquiry.objects.restrict(actor, "view").select_related("assigned_to", "customer", "department")


def inquiry_follow_up(
    *, actor: User, inquiry: Inquiry | int, status: str, note: str, customer: Customer | int | None = None
) -> Inquiry:
    """Record a follow-up of an inquiry by its assignee (or a manager in scope) and move its status."""
    # rule: ACT-5 — inquiries are followed up.
    target = inquiry_for(actor, inquiry)
    if (
        target.assigned_to_id != actor.pk
        and not Inquiry.objects.restrict(actor, "change").filter(pk=target.pk).exists()
    ):
        raise BusinessError(errors.INQUIRY_NOT_ASSIGNEE)
    if status not in Inquiry.Status.values or status not in TRANSITIONS[target.status]:
        raise BusinessError(
            errors.INQUIRY_BAD_TRANSITION, field="status", status=target.get_status_display(), target=status
        )
    text = str(note or "").strip()
    if not text:
        raise BusinessError(errors.INQUIRY_NOTE_REQUIRED, field="note")
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    if customer_id is not None and not Customer.objects.restrict(actor, "view").filter(pk=customer_id).exists():
        raise BusinessError(NOT_FOUND, field="customer")
    with transaction.atomic():
        now = timezone.now()
        changes: dict[str, Any] = {"status": status, "last_note": text[:2000], "followed_up_at": now}
        if customer_id is not None:
            changes["customer_id"] = customer_id
        # compare-and-set: a concurrent follow-up that moved the status first wins.
        if Inquiry.objects.filter(pk=target.pk, status=target.status).update(**changes) != 1:
            raise BusinessError(CONFLICT)
        InquiryEvent.objects.create(
            inquiry=target, actor=actor, at=now, from_status=target.status, to_status=status, note=text[:2000]
        )
    target.refresh_from_db()
    return target


def inquiry_reassign(*, actor: User, inquiry: Inquiry | int, to: User | int, note: str) -> Inquiry:
    """A manager hands an open inquiry to another team member; logged like the automatic choice."""
    # rule: ACT-5 — every distribution is logged.
    target = inquiry_for(actor, inquiry, "change")
    if not target.is_open():
        raise BusinessError(
            errors.INQUIRY_BAD_TRANSITION, status=target.get_status_display(), target=str(_("reassigned"))
        )
    team = InquiryTeam(department=target.department)
    candidates = {c.user_id: c for c in team_candidates(team)}
    to_id = to.pk if isinstance(to, User) else to
    if to_id not in candidates:
        raise BusinessError(errors.INQUIRY_NO_MEMBER, field="to", team=str(target.department))
    text = str(note or "").strip()
    if not text:
        raise BusinessError(errors.INQUIRY_NOTE_REQUIRED, field="note")
    with transaction.atomic():
        now = timezone.now()
        updated = Inquiry.objects.filter(pk=target.pk, assigned_to_id=target.assigned_to_id).update(
            assigned_to_id=to_id, assigned_at=now
        )
        if updated != 1:
            raise BusinessError(CONFLICT)
        InquiryAssignment.objects.create(
            inquiry=target,
            assigned_to_id=to_id,
            assigned_by=actor,
            assigned_at=now,
            reason=InquiryAssignment.Reason.MANUAL,
            candidates=[c.as_json() for c in candidates.values()],
            note=text[:500],
        )
        target.refresh_from_db()
        transaction.on_commit(lambda: _notify_assignee(target, actor))
    return target
