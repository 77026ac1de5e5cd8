"""In-app notifications (站内通知): ``notify()`` writes one, the header badge and page read them.

Services call ``notify`` from ``transaction.on_commit`` so nobody is told about a change that
was rolled back. A lazy message (``gettext_lazy`` / ``format_lazy``) is rendered in the
company's default language: the recipient is not the one making the request, so the
requester's language is not theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise

from .models import Notification

if TYPE_CHECKING:
    from yingxiao.org.models import User

_MESSAGE_MAX = Notification._meta.get_field("message").max_length or 500
_LINK_MAX = Notification._meta.get_field("link").max_length or 500


def _render(message: str | Promise) -> str:
    if isinstance(message, Promise):
        with translation.override(settings.LANGUAGE_CODE):
            message = str(message)
    text = str(message)
    return text if len(text) <= _MESSAGE_MAX else text[: _MESSAGE_MAX - 1] + "…"


def notify(recipient: User | None, *, message: str | Promise, link: str = "", actor: User | None = None) -> Any:
    """Tell ``recipient`` something in the app; returns the ``Notification`` (None without a recipient)."""
    if recipient is None or not recipient.is_active:
        return None
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, message=_render(message), link=link[:_LINK_MAX]
    )
    if recipient.email:
        # The e-mail copy goes out through the task queue, after the change is committed.
        from .tasks import send_notification_email

        notification_id = notification.pk
        transaction.on_commit(lambda: send_notification_email.enqueue(notification_id))
    return notification


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody reads anyone else's)."""
    return Notification.objects.filter(recipient=user).select_related("actor")


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_mark_read(*, actor: User, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's unread notifications read (all of them when ``ids`` is None); returns how many.

    A conditional UPDATE on the actor's own rows: someone else's id is simply not matched.
    """
    rows = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def notify_many(messages: Iterable[tuple[User | None, str | Promise, str]], *, actor: User | None = None) -> list[int]:
    """``notify`` for many (recipient, message, link) at once: the same notifications and e-mail
    copies, written in one insert (on PostgreSQL one ``INSERT … SELECT … FROM unnest``), the lazy
    messages rendered under one language switch. Call it from ``transaction.on_commit`` like
    ``notify``. Returns the new notifications' ids."""
    with translation.override(settings.LANGUAGE_CODE):
        rows = [
            (recipient, _render(message), link[:_LINK_MAX])
            for recipient, message, link in messages
            if recipient is not None and recipient.is_active
        ]
    if not rows:
        return []
    from django.db import connection

    from .sql import array_literal

    if connection.vendor == "postgresql":
        meta = Notification._meta
        quote = connection.ops.quote_name
        column = {field.name: quote(str(field.column)) for field in meta.concrete_fields}
        columns = ", ".join(column[name] for name in ("recipient", "message", "link", "actor", "created_at"))
        with connection.cursor() as cursor:
            # Only the model's own table and column names are interpolated; the values are parameters.
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
                "SELECT u.recipient, u.message, u.link, %s, %s "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[]) WITH ORDINALITY AS u(recipient, message, link, n) "
                f"ORDER BY u.n RETURNING {column['id']}, {column['recipient']}",
                [
                    actor.pk if actor is not None else None,
                    timezone.now(),
                    array_literal([recipient.pk for recipient, _m, _l in rows], "bigint"),
                    array_literal([message for _r, message, _l in rows]),
                    array_literal([link for _r, _m, link in rows]),
                ],
            )
            written = cursor.fetchall()
    else:
        made = Notification.objects.bulk_create(
            [
                Notification(recipient=recipient, actor=actor, message=message, link=link)
                for recipient, message, link in rows
            ],
            batch_size=1000,
        )
        written = [(row.pk, row.recipient_id) for row in made]
    with_email = {recipient.pk for recipient, _m, _l in rows if recipient.email}
    if with_email:
        from .tasks import send_notification_email

        for pk, recipient_id in written:
            if recipient_id in with_email:
                send_notification_email.enqueue(pk)
    return [pk for pk, _recipient in written]
