"""A year of contact log per demo customer (ACT-1): visits, calls, letters, e-mails, home visits, SMS, messages.

Qualifying service (CUS-7) — visits, home visits, letters, e-mails and calls with an outcome — sets
``Activity.is_qualifying`` and ``Customer.last_served_at``; SMS and messages taken never count. About
one customer in six is deliberately left unserved for more than 90 days so the public pool has work.
"""

from __future__ import annotations

import datetime as dt
import random

from yingxiao.activities.models import Activity
from yingxiao.org.models import User

from . import words as w
from .customers import Draft, weighted
from .timeline import Clock

FOLLOW_UP_WEIGHTS = {
    "local": [
        ("call", 35), ("visit", 12), ("home_visit", 10), ("email", 12), ("letter", 4), ("sms", 17), ("message", 6),
    ],
    "abroad": [
        ("call", 22), ("visit", 8), ("home_visit", 3), ("email", 40), ("letter", 8), ("sms", 10), ("message", 6),
    ],
}  # fmt: skip
FIRST_CONTACT = {
    "visit": ("visit", "in"),
    "call": ("call", "in"),
    "letter": ("letter", "in"),
    "fair": ("visit", "in"),
    "web": ("email", "in"),
    "outreach": ("email", "out"),
    "referral": ("call", "in"),
    "telesales": ("call", "out"),
    "science": ("visit", "in"),
    "other": ("call", "in"),
}
QUALIFYING_KINDS = {"visit", "home_visit", "letter", "email"}  # and "call" when it has a result
SERVICE_WINDOW_DAYS = 90  # CUS-7 default; the policy app owns the live value
HELPERS = {
    # Who besides the owner logs this kind of contact (CUS-11: anyone may serve a customer).
    "visit": ("commerce", "commerce_leader", "director"),
    "home_visit": ("director", "marketing_director"),
    "call": ("service", "aftersales", "clerk"),
    "email": ("quoter", "assistant"),
    "letter": ("clerk", "assistant"),
}
MESSAGE_TAKERS = ("assistant", "clerk", "service", "commerce")
RETURN_VISIT_DAYS = 30  # ACT-2 default; the policy app owns the live value
RETURN_VISIT_KINDS = [("call", 70), ("visit", 12), ("home_visit", 10), ("email", 8)]


def is_qualifying(kind: str, result: str) -> bool:
    """CUS-7 default: SMS and messages never count; a call counts only with an outcome."""
    return kind in QUALIFYING_KINDS or (kind == "call" and bool(result))


class ActivityFactory:
    """Draws each customer's contact log from that customer's own seeded ``random.Random``.

    One generator per customer keeps a change in one customer's dates (another anchor day shifts
    holidays) from rippling into every later customer.
    """

    def __init__(self, seed: int, users: dict[str, User], clock: Clock) -> None:
        self.seed = seed
        self.users = users
        self.clock = clock
        self.rng = random.Random()  # noqa: S311 — demo data; reseeded per customer

    def build(self, draft: Draft, index: int) -> list[Activity]:
        self.rng = rng = random.Random(f"{self.seed}:{index}")  # noqa: S311 — demo data, not security
        clock, customer = self.clock, draft.customer
        registered = customer.registered_at
        age = (clock.anchor - registered.astimezone(clock.tz).date()).days
        neglected = rng.random() < 0.18 and age > SERVICE_WINDOW_DAYS + 30
        if neglected:
            # rule: CUS-7 — last real service lies beyond the window; only SMS since.
            end_day = clock.days_ago(rng.randint(SERVICE_WINDOW_DAYS + 5, min(age - 5, 200)))
        else:
            end_day = clock.last_day
        count = max(2, round(rng.randint(8, 26) * min(1.0, (age + 30) / 240)))

        kind, direction = FIRST_CONTACT[customer.source]
        activities = [self._activity(draft, kind, registered, direction=direction, first=True)]
        weights = FOLLOW_UP_WEIGHTS["abroad" if draft.segment in ("overseas", "traditional") else "local"]
        for _ in range(count - 1):
            activities.append(self._activity(draft, weighted(rng, weights), clock.between(rng, registered, end_day)))

        if neglected:
            for _ in range(rng.randint(0, 3)):
                moment = clock.between(rng, clock.at(end_day, rng), clock.last_day)
                activities.append(self._activity(draft, "sms", moment))
        else:
            recent = clock.days_ago(60)
            latest = max((a.occurred_at for a in activities if a.is_qualifying), default=None)
            if latest is None or latest.astimezone(clock.tz).date() < recent:
                start = max(registered, clock.at(recent, rng))
                activities.append(self._activity(draft, "call", clock.between(rng, start, clock.last_day), sure=True))

        if customer.stage == "deal":
            activities.extend(self._return_visits(draft, end_day=end_day))

        activities.sort(key=lambda a: a.occurred_at)
        served = [a.occurred_at for a in activities if a.is_qualifying]
        customer.last_served_at = served[-1] if served else None
        return activities

    def _return_visits(self, draft: Draft, *, end_day: dt.date) -> list[Activity]:
        """ACT-2: a transacted customer's owner calls or visits about every {return_visit_days} days.

        Mostly within the 30 days (some well before), now and then a few days late; a neglected
        customer's return visits stop with its service, so it shows up overdue.
        """
        rng, clock = self.rng, self.clock
        visits: list[Activity] = []
        moment = draft.customer.registered_at
        while True:
            gap = rng.randint(33, 40) if rng.random() < 0.12 else rng.randint(16, RETURN_VISIT_DAYS)
            day = moment.astimezone(clock.tz).date() + dt.timedelta(days=gap)
            if day > end_day or day > clock.last_day:
                return visits
            moment = clock.at(clock.open_day(day, not_before=moment.astimezone(clock.tz).date()), rng)
            kind = weighted(rng, RETURN_VISIT_KINDS)
            visit = self._activity(draft, kind, moment, direction="out", sure=True)
            visit.staff = draft.customer.owner  # the owner's own return visit
            visit.subject = f"成交客户回访：{visit.subject}"[:200]
            visit.is_return_visit = True
            visit.return_visit_counts = True  # rule: ACT-3 — never an SMS here, so it always counts
            visits.append(visit)

    def _activity(
        self,
        draft: Draft,
        kind: str,
        moment: dt.datetime,
        *,
        direction: str | None = None,
        first: bool = False,
        sure: bool = False,
    ) -> Activity:
        rng = self.rng
        customer = draft.customer
        owner = customer.owner
        assert owner is not None
        contact = draft.contacts[0] if rng.random() < 0.7 else rng.choice(draft.contacts)
        staff, routed_to = owner, None
        if kind == "message":
            staff, routed_to = self.users[rng.choice(MESSAGE_TAKERS)], owner  # rule: ACT-6
        elif not first and kind in HELPERS and rng.random() < 0.15:
            staff = self.users[rng.choice(HELPERS[kind])]
        if direction is None:
            direction = {"visit": "in", "message": "in", "sms": "out", "home_visit": "out"}.get(kind) or rng.choice(
                ["in", "out"]
            )

        local = moment.astimezone(self.clock.tz)
        fill = {
            "contact": contact.name,
            "customer": customer.name,
            "product": draft.product if rng.random() < 0.7 else rng.choice(w.PRODUCTS),
            "concern": draft.concern if rng.random() < 0.6 else rng.choice(w.CONCERNS),
            "city": draft.city,
            "phone": contact.phone or customer.phone,
            "when": f"{local.month}月{local.day}日{'上午' if local.hour < 12 else '下午'}",
            "place": "",
            "brand": customer.previous_brand or "其他品牌",
            "month": str((local.month % 12) + 1),
        }
        location, duration, result = "", None, ""
        if kind == "visit":
            subject = rng.choice(w.VISIT_SUBJECTS)
            location = fill["place"] = rng.choice(w.VISIT_PLACES)
            duration, result = rng.randint(30, 180), rng.choice(w.RESULTS)
        elif kind == "home_visit":
            subject = rng.choice(w.HOME_VISIT_SUBJECTS)
            location = fill["place"] = customer.address or draft.city
            duration, result = rng.randint(60, 240), rng.choice(w.RESULTS)
        elif kind == "call":
            subject = rng.choice(w.CALL_IN_SUBJECTS if direction == "in" else w.CALL_OUT_SUBJECTS)
            answered = sure or first or direction == "in" or rng.random() > 0.25
            duration = rng.randint(2, 30) if answered else 1
            result = rng.choice(w.RESULTS) if answered else ""
        elif kind == "letter":
            subject = rng.choice(w.LETTER_IN_SUBJECTS if direction == "in" else w.LETTER_OUT_SUBJECTS)
            result = rng.choice(w.LETTER_RESULTS)
        elif kind == "email":
            subject = rng.choice(w.EMAIL_IN_SUBJECTS if direction == "in" else w.EMAIL_OUT_SUBJECTS)
            result = rng.choice(w.EMAIL_RESULTS)
        elif kind == "sms":
            subject, result = rng.choice(w.SMS_SUBJECTS), rng.choice(w.SMS_RESULTS)
        else:
            subject = rng.choice(w.MESSAGE_SUBJECTS)
        fill["channel"] = {"call": "电话", "email": "电子邮件", "letter": "信函", "sms": "短信"}.get(kind, "电话")

        if kind == "call" and not result:
            summary = w.CALL_NO_ANSWER.format(**fill)
        elif kind == "message":
            summary = f"{fill['when']}代{owner.display_name}接听{fill['contact']}来电，已转告客户负责人跟进。"
        elif kind == "sms":
            summary = f"{fill['when']}向{fill['contact']}（{fill['phone']}）{subject.format(**fill)}。"
        elif kind in ("visit", "home_visit"):
            summary = rng.choice(w.MEETING_SUMMARIES).format(**fill)
        else:
            summary = rng.choice(w.SUMMARIES).format(**fill)
        activity = Activity(
            customer=customer,
            contact=contact,
            staff=staff,
            kind=kind,
            direction=direction,
            occurred_at=moment,
            subject=subject.format(**fill)[:200],
            location=location[:200],
            purpose=rng.choice(w.PURPOSES).format(**fill),
            summary=summary,
            result=result,
            duration_minutes=duration,
            routed_to=routed_to,
        )
        activity.is_qualifying = is_qualifying(kind, result)
        return activity
