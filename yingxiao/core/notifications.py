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
