"""Business actions of the contact log (ACT-1, ACT-6, CUS-11, CUS-7 last served)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, PERMISSION_DENIED, BusinessError
from yingxiao.core.notifications import notify
from yingxiao.customers.models import Contact, Customer
from yingxiao.org.selectors import heads_of, superior_of

from . import errors
from .models import Activity
from .return_visits import return_visit_mark, return_visit_recount
from .rules import counts_as_service

if TYPE_CHECKING:
    from yingxiao.org.models import User

# Clock skew between the person's device and the server, not policy: a contact logged "now"
# from a phone whose clock runs a little fast must not be refused.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
MAX_DURATION_MINUTES = 24 * 60
_TEXT_FIELDS = ("subject", "location", "purpose", "summary", "result", "caller_name", "caller_contact")


def customer_link(customer: Customer | int) -> str:
    """Where a notification about ``customer`` points: its page, or its activities until that exists."""
    pk = customer.pk if isinstance(customer, Customer) else customer
    try:
        return reverse("customers:detail", args=[pk])
    except NoReverseMatch:
        return f"{reverse('activities:list')}?customer={pk}"


def _customer_in_view(actor: User, customer: Customer | int) -> Customer:
    # rule: CUS-11 — anyone may serve a customer they can see; out of view is "not found".
    pk = customer.pk if isinstance(customer, Customer) else customer
    try:
        found: Customer = Customer.objects.restrict(actor, "view").select_related("owner", "owner__delegate").get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError) as exc:
        raise BusinessError(NOT_FOUND) from exc
    return found


def _validate_text(values: dict[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        value = str(values.get(name) or "").strip()
        field = Activity._meta.get_field(name)
        assert isinstance(field, models.Field)
        limit = field.max_length
        if limit is not None and len(value) > limit:
            raise BusinessError(
                errors.TEXT_TOO_LONG, field=name, field_label=field.verbose_name, limit=limit, length=len(value)
            )
        cleaned[name] = value
    return cleaned


def _validate_time(occurred_at: dt.datetime | None) -> dt.datetime:
    if occurred_at is None:
        raise BusinessError(errors.TIME_REQUIRED, field="occurred_at")
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise BusinessError(errors.IN_FUTURE, field="occurred_at")
    return occurred_at


def _validate_contact(customer: Customer, contact: Contact | int | None) -> Contact | None:
    if contact is None:
        return None
    pk = contact.pk if isinstance(contact, Contact) else contact
    try:
        return Contact.objects.get(pk=pk, customer=customer)
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise BusinessError(errors.CONTACT_NOT_OF_CUSTOMER, field="contact") from exc


def message_recipient(customer: Customer) -> User | None:
    """Who receives a message taken for the customer's absent owner (ACT-6, ORG-4).

    The owner when available; else the owner's delegate; else the owner's superior (vacant or
    absent posts are skipped by ``superior_of``); a customer without an owner goes to the
    available head of its department ("the right team"). None when nobody can be found.
    """
    # rule: ACT-6
    owner = customer.owner
    if owner is not None:
        if owner.is_available():
            return owner
        delegate = owner.delegate
        if delegate is not None and delegate.is_available():
            return delegate
        superior = superior_of(owner)
        if superior is not None:
            return superior
    if customer.department_id is not None and customer.department is not None:
        heads = heads_of(customer.department)
        if heads:
            return heads[0]
    return None


def _advance_last_served(customer_id: int, occurred_at: dt.datetime) -> int:
    # rule: CUS-7 — last served only moves forward; one conditional UPDATE, so concurrent
    # loggers (and late entries of older contacts) can never move it backwards.
    return (
        Customer.objects.filter(pk=customer_id)
        .filter(Q(last_served_at__isnull=True) | Q(last_served_at__lt=occurred_at))
        .update(last_served_at=occurred_at)
    )


def _notify_after_log(activity: Activity, owner: User | None, actor: User) -> None:
    link = customer_link(activity.customer_id)
    notified: set[int] = {actor.pk}
    recipient = activity.routed_to
    if activity.kind == Activity.Kind.MESSAGE and recipient is not None and recipient.pk not in notified:
        # rule: ACT-6
        notify(
            recipient,
            message=format_lazy(
                _("Message for {customer} from {caller} ({contact}): {subject}"),
                customer=activity.customer.name,
                caller=activity.caller_name,
                contact=activity.caller_contact,
                subject=activity.subject,
            ),
            link=link,
            actor=actor,
        )
        notified.add(recipient.pk)
    if owner is not None and owner.pk not in notified:
        # rule: CUS-11 — the owner hears when a colleague serves their customer.
        notify(
            owner,
            message=format_lazy(
                _("{actor} logged a {kind} with your customer {customer}: {subject}"),
                actor=str(actor),
                kind=Activity.Kind(activity.kind).label,
                customer=activity.customer.name,
                subject=activity.subject,
            ),
            link=link,
            actor=actor,
        )


def activity_log(
    *,
    actor: User,
    customer: Customer | int,
    kind: str,
    occurred_at: dt.datetime | None,
    subject: str,
    direction: str = Activity.Direction.OUTBOUND,
    contact: Contact | int | None = None,
    location: str = "",
    purpose: str = "",
    summary: str = "",
    result: str = "",
    duration_minutes: int | None = None,
    caller_name: str = "",
    caller_contact: str = "",
    is_return_visit: bool = False,
) -> Activity:
    """Register one contact with a customer (ACT-1) by ``actor``, the staff member.

    Anyone may log on a customer within their view scope (CUS-11); the owner is told when
    someone else does. A message (ACT-6) is routed to whoever stands in for the owner.
    Qualifying service (CUS-7) moves the customer's last-served time forward. A return visit
    (ACT-2) is counted unless it extends a run of SMS-only return visits too far (ACT-3). On any
    BusinessError nothing has been written.
    """
    # rule: ACT-1
    if not actor.has_perm("activities.add_activity"):
        raise BusinessError(PERMISSION_DENIED)
    target = _customer_in_view(actor, customer)
    if kind not in Activity.Kind.values:
        raise BusinessError(errors.UNKNOWN_KIND, field="kind", kind=kind)
    if direction not in Activity.Direction.values:
        raise BusinessError(errors.UNKNOWN_DIRECTION, field="direction", direction=direction)
    text = _validate_text(
        {
            "subject": subject,
            "location": location,
            "purpose": purpose,
            "summary": summary,
            "result": result,
            "caller_name": caller_name,
            "caller_contact": caller_contact,
        }
    )
    if not text["subject"]:
        raise BusinessError(errors.SUBJECT_REQUIRED, field="subject")
    when = _validate_time(occurred_at)
    if duration_minutes is not None and not 0 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise BusinessError(errors.BAD_DURATION, field="duration_minutes", limit=MAX_DURATION_MINUTES)
    person = _validate_contact(target, contact)
    routed_to = None
    if kind == Activity.Kind.MESSAGE:
        # rule: ACT-6 — name, contact and matter of the message are all required.
        if not text["caller_name"]:
            raise BusinessError(errors.MESSAGE_DETAILS_REQUIRED, field="caller_name")
        if not text["caller_contact"]:
            raise BusinessError(errors.MESSAGE_DETAILS_REQUIRED, field="caller_contact")
        routed_to = message_recipient(target)
    if is_return_visit and kind == Activity.Kind.MESSAGE:
        raise BusinessError(errors.RETURN_VISIT_KIND, field="is_return_visit")

    with transaction.atomic():
        activity = Activity(
            customer=target,
            contact=person,
            staff=actor,
            kind=kind,
            direction=direction,
            occurred_at=when,
            duration_minutes=duration_minutes,
            is_qualifying=counts_as_service(kind, text["result"]),  # rule: CUS-7
            routed_to=routed_to,
            is_return_visit=bool(is_return_visit),
            **text,
        )
        later_return_visits = False
        if activity.is_return_visit:
            # rule: ACT-3 — one return visit of a customer at a time, so the streak is never miscounted.
            Customer.objects.select_for_update().filter(pk=target.pk).values_list("pk", flat=True).first()
            return_visit_mark(activity)
            later_return_visits = Activity.objects.filter(
                customer_id=target.pk, is_return_visit=True, occurred_at__gt=when
            ).exists()
        activity._history_user = actor  # type: ignore[attr-defined]
        activity.save()
        if later_return_visits:
            return_visit_recount(target.pk, when)
        if activity.is_qualifying:
            _advance_last_served(target.pk, when)
        owner = target.owner
        transaction.on_commit(lambda: _notify_after_log(activity, owner, actor))
    return activity
