"""What the business-module builders of the demo share: people, customers, dates and a clock to act at.

The demo year is written through the apps' own services, so approvals, status events, history and
ledger entries come out exactly as they would in use. Services stamp their records with "now";
``Story.at`` moves the process clock to the moment the demo says something happened (time-machine,
installed with the project's dev extras that ``make run`` installs) and every ``timezone.now()``,
``auto_now_add`` and ``default=timezone.now`` inside follows. Nothing is dated on or after the anchor
day, which stays "today".
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile

from .timeline import Clock

if TYPE_CHECKING:
    from yingxiao.approvals.models import Instance
    from yingxiao.customers.models import Customer
    from yingxiao.org.models import Department, User

# A one-page PDF (the archive checks the first bytes): the demo's stand-in for scans and signed receipts.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def scan(name: str) -> SimpleUploadedFile:
    """A small PDF upload standing in for a scanned document."""
    return SimpleUploadedFile(name, _PDF, content_type="application/pdf")


@contextmanager
def _travel(moment: dt.datetime) -> Iterator[None]:
    try:
        import time_machine
    except ImportError as exc:  # pragma: no cover — installed with the dev extras (make run, make demo)
        raise RuntimeError("load_demo needs the dev extras (pip install -e '.[dev]'): time-machine") from exc
    with time_machine.travel(moment, tick=False):
        yield


@dataclass
class Story:
    """The demo company as the module builders see it, with the counts they report back."""

    seed: int
    clock: Clock
    users: dict[str, User]
    home: dict[str, Department]
    customers: list[Customer]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def anchor(self) -> dt.date:
        return self.clock.anchor

    def rng(self, topic: str) -> random.Random:
        """A generator of its own per topic: one module's draws never shift another's."""
        return random.Random(f"{self.seed}:{topic}")  # noqa: S311 — demo data, not security

    def user(self, username: str) -> User:
        return self.users[username]

    def count(self, key: str, value: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + value

    # --- dates -----------------------------------------------------------------------------------
    def day(self, days_ago: int) -> dt.date:
        """The open day (not a Sunday or holiday) nearest to ``days_ago`` days before the anchor."""
        day = self.clock.days_ago(max(1, days_ago))
        return self.clock.open_day(day, not_before=self.clock.days_ago(400))

    def moment(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.clock.tz)

    def later(self, day: dt.date, days: int) -> dt.date:
        """The open day ``days`` after ``day``, never later than the last demo day."""
        target = min(day + dt.timedelta(days=days), self.clock.last_day)
        return self.clock.open_day(target, not_before=day)

    @contextmanager
    def at(self, moment: dt.datetime | dt.date, hour: int = 10, minute: int = 0) -> Iterator[dt.datetime]:
        """Act at ``moment`` (a date means ``hour:minute`` that day): the services' "now" is then."""
        if not isinstance(moment, dt.datetime):
            moment = self.moment(moment, hour, minute)
        with _travel(moment):
            yield moment


def approve_all(instance: Instance, *, note: str = "") -> Instance:
    """Every step of a pending request approved by whoever it waits for (APR-1 routing decides)."""
    from yingxiao.approvals.models import Instance
    from yingxiao.approvals.services import approval_decide

    instance.refresh_from_db()
    while instance.status == Instance.Status.PENDING and instance.current_approver is not None:
        instance = approval_decide(actor=instance.current_approver, instance=instance, decision="approve", note=note)
    return instance


def pending_for(subject: Any, request_type: str | None = None) -> Instance | None:
    """The open approval request about ``subject`` (None when it needed none)."""
    from django.contrib.contenttypes.models import ContentType

    from yingxiao.approvals.models import Instance

    rows = Instance.objects.filter(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        status=Instance.Status.PENDING,
    )
    if request_type:
        rows = rows.filter(request_type=request_type)
    return rows.order_by("-pk").first()
