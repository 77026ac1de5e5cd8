"""Policy rules of the contact log, declared in one place.

CUS-7 ``{qualifying_activity_types}``: which logged contacts count as service (服务到位) and so
keep a customer out of the public pool. The value comes from the policy configuration
(``policy_value("qualifying_activity_types")``), whose default is the one below. Nothing else in
the code names qualifying kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yingxiao.policy.registry import Action, Finding, Rule, register
from yingxiao.policy.values import policy_value

from .models import Activity

# rule: CUS-7 — visit, home visit, phone call with an outcome. SMS and message-only contacts
# never qualify (nor do letters and e-mails, which the policy does not list). "Invitation
# accepted" and "event attended" qualify too, but they are recorded by invitations, not here.
# A ":result" suffix means the contact counts only when its result (outcome) is filled in.
DEFAULT_QUALIFYING_ACTIVITY_TYPES: tuple[str, ...] = ("visit", "home_visit", "call:result")

# rule: CUS-7 — contacts that can never count as service, whatever the configuration says.
NEVER_QUALIFYING: frozenset[str] = frozenset({Activity.Kind.SMS, Activity.Kind.MESSAGE})


def parse_qualifying_activity_types(values: Iterable[str]) -> Mapping[str, bool]:
    """Parse the CUS-7 parameter: ``["visit", "call:result"]`` → ``{kind: needs_result}``.

    Unknown kinds are rejected (a typo in the configuration must not silently stop counting
    service); SMS and messages are rejected because the policy says they never qualify.
    """
    known = set(Activity.Kind.values)
    parsed: dict[str, bool] = {}
    for raw in values:
        kind, _sep, condition = str(raw).strip().partition(":")
        if kind not in known:
            raise ValueError(f"unknown activity kind in qualifying_activity_types: {raw!r}")
        if kind in NEVER_QUALIFYING:
            raise ValueError(f"{kind!r} never counts as service (CUS-7)")
        if condition not in ("", "result"):
            raise ValueError(f"unknown condition in qualifying_activity_types: {raw!r}")
        parsed[kind] = condition == "result"
    return MappingProxyType(parsed)


def qualifying_kinds(at: datetime | None = None) -> Mapping[str, bool]:
    """The CUS-7 ``{qualifying_activity_types}`` in force at ``at``: ``{kind: needs a result to count}``."""
    return parse_qualifying_activity_types(policy_value("qualifying_activity_types", at=at))


def counts_as_service(kind: str, result: str) -> bool:
    """Whether a contact of ``kind`` with ``result`` is qualifying service (CUS-7, ACT-1)."""
    kinds = qualifying_kinds()
    if kind not in kinds:
        return False
    return bool(result.strip()) if kinds[kind] else True


# --- Rules run by the policy engine: ACT-2, ACT-3, CUS-12, CUS-14 (reminders) -----------------


def _link(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _remind(findings: list[Finding], links: dict[int, str] | None = None) -> list[bool]:
    """Notify each finding's person with its explanation (and a link); False when nobody is there."""
    from yingxiao.core.notifications import notify
    from yingxiao.org.models import User

    people = User.objects.in_bulk({f.person_id for f in findings if f.person_id is not None})
    done = []
    for finding in findings:
        person = people.get(finding.person_id) if finding.person_id is not None else None
        sent = notify(person, message=finding.explanation, link=(links or {}).get(finding.subject_id, "")) is not None
        done.append(sent)
    return done


def _param(name: str, at: datetime | None) -> int:
    return int(policy_value(name, at=at))


def _customer_link(customer_id: int) -> str:
    return _link("customers:detail", customer_id) or f"{_link('activities:list')}?customer={customer_id}"


def _day(value: datetime | None) -> str:
    return timezone.localdate(value).isoformat() if value else "—"


@register
class ReturnVisitDue(Rule):
    """ACT-2: remind the owner of a transacted customer before the return visit falls due (and when overdue)."""

    id = "ACT-2"
    title = _("Return visits to transacted customers")
    params = ("return_visit_days", "return_visit_lead_days")
    action = Action.REMIND
    subject_model = "customers.Customer"
    explanation = _("The return visit to %(customer)s is due on %(due)s (last counted return visit: %(last)s).")

    def check(self, as_of: datetime) -> Iterable[Finding]:
        from yingxiao.customers.models import Customer

        from .return_visits import due_by, due_date, with_return_visit_due

        days = _param("return_visit_days", as_of)
        lead = _param("return_visit_lead_days", as_of)
        horizon = timezone.localdate(as_of) + timedelta(days=lead)
        rows = (
            due_by(with_return_visit_due(Customer.objects.filter(owner__isnull=False)), days=days, day=horizon)
            .values("pk", "name", "owner_id", "rv_anchor", "last_return_visit")
            .order_by("pk")
        )
        for row in rows.iterator(chunk_size=2000):
            due = due_date(row["rv_anchor"], days)
            yield Finding(
                subject_id=row["pk"],
                key=due.isoformat(),  # one reminder per due date
                person_id=row["owner_id"],
                facts={"customer": row["name"], "due": due.isoformat(), "last": _day(row["last_return_visit"])},
            )

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        # compare-and-set: only customers still owned by the person and not visited since.
        from yingxiao.customers.models import Customer

        from .return_visits import due_date, with_return_visit_due

        days = _param("return_visit_days", findings[0].as_of if findings else None)
        current = {
            row["pk"]: (row["owner_id"], due_date(row["rv_anchor"], days).isoformat())
            for row in with_return_visit_due(Customer.objects.filter(pk__in=[f.subject_id for f in findings])).values(
                "pk", "owner_id", "rv_anchor"
            )
        }
        live = [f for f in findings if current.get(f.subject_id) == (f.person_id, f.key)]
        sent = dict(
            zip(
                [id(f) for f in live],
                _remind(live, {f.subject_id: _customer_link(f.subject_id) for f in live}),
                strict=True,
            )
        )
        return [sent.get(id(f), False) for f in findings]

    def apply(self, finding: Finding) -> bool:
        return self.apply_batch([finding])[0]


@register
class SmsReturnVisitInvalid(Rule):
    """ACT-3: tell the staff member that an SMS return visit did not count (too many SMS in a row)."""

    id = "ACT-3"
    title = _("SMS-only return visits in a row do not count")
    params = ("sms_invalid_streak", "return_visit_days")
    action = Action.REMIND
    subject_model = "activities.Activity"
    explanation = _(
        "The SMS return visit to %(customer)s on %(day)s is SMS number %(streak)s in a row and does not count; "
        "visit or call the customer."
    )

    def check(self, as_of: datetime) -> Iterable[Finding]:
        days = _param("return_visit_days", as_of)
        rows = (
            Activity.objects.filter(
                is_return_visit=True,
                kind=Activity.Kind.SMS,
                return_visit_counts=False,
                occurred_at__gt=as_of - timedelta(days=days),
                occurred_at__lte=as_of,
            )
            .values("pk", "staff_id", "customer__name", "occurred_at", "sms_streak")
            .order_by("pk")
        )
        for row in rows.iterator(chunk_size=2000):
            yield Finding(
                subject_id=row["pk"],
                person_id=row["staff_id"],
                facts={"customer": row["customer__name"], "day": _day(row["occurred_at"]), "streak": row["sms_streak"]},
            )

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        customers = dict(
            Activity.objects.filter(pk__in=[f.subject_id for f in findings]).values_list("pk", "customer_id")
        )
        return _remind(findings, {pk: _customer_link(customer) for pk, customer in customers.items()})

    def apply(self, finding: Finding) -> bool:
        return self.apply_batch([finding])[0]


@register
class Greetings(Rule):
    """CUS-12: remind owners of their contacts' birthdays and of holidays, ``greeting_lead_days`` ahead."""

    id = "CUS-12"
    title = _("Birthday and holiday greetings")
    params = ("greeting_lead_days",)
    action = Action.REMIND
    subject_model = "org.User"  # the owner who greets
    explanation = _("Send greetings for %(occasion)s on %(date)s.")

    def check(self, as_of: datetime) -> Iterable[Finding]:
        from .greetings import birthdays_between, holidays_between, owners_with_customers

        start = timezone.localdate(as_of)
        end = start + timedelta(days=(_param("greeting_lead_days", as_of)))
        for row in birthdays_between(start, end):
            owner = row["customer__owner_id"]
            occasion = gettext("the birthday of %(contact)s (%(customer)s)") % {
                "contact": row["name"],
                "customer": row["customer__name"],
            }
            yield Finding(
                subject_id=owner,
                key=f"birthday:{row['pk']}:{row['on'].isoformat()}",  # once per contact and birthday
                person_id=owner,
                facts={"occasion": occasion, "date": row["on"].isoformat(), "customer_id": row["customer_id"]},
            )
        holidays = holidays_between(start, end)
        if not holidays:
            return
        owners = list(owners_with_customers())
        for day, name in holidays:
            for row in owners:
                yield Finding(
                    subject_id=row["owner_id"],
                    key=f"holiday:{day.isoformat()}",  # once per owner and holiday
                    person_id=row["owner_id"],
                    facts={"occasion": name, "date": day.isoformat(), "customers": row["customers"]},
                )

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        from yingxiao.core.notifications import notify
        from yingxiao.org.models import User

        people = User.objects.in_bulk({f.person_id for f in findings if f.person_id is not None})
        page = _link("activities:greetings")
        done = []
        for finding in findings:
            customer_id = finding.facts.get("customer_id")
            link = _customer_link(int(customer_id)) if customer_id else page
            person = people.get(finding.person_id) if finding.person_id is not None else None
            done.append(notify(person, message=finding.explanation, link=link) is not None)
        return done

    def apply(self, finding: Finding) -> bool:
        return self.apply_batch([finding])[0]


@register
class KeyAccountVisitDue(Rule):
    """CUS-14: remind the sales director (key) or GM and chairman (core) before a key-account visit is due."""

    id = "CUS-14"
    title = _("Management visits to key accounts")
    params = ("key_account_visit_days", "key_account_lead_days")
    action = Action.REMIND
    subject_model = "activities.KeyAccount"
    explanation = _(
        "%(customer)s (%(level)s) must be visited in person by %(role)s by %(due)s (last such visit: %(last)s)."
    )

    def check(self, as_of: datetime) -> Iterable[Finding]:
        from .key_accounts import due_by, role_holders, with_visit_due
        from .models import KeyAccount

        days = _param("key_account_visit_days", as_of)
        lead = _param("key_account_lead_days", as_of)
        horizon = timezone.localdate(as_of) + timedelta(days=lead)
        holders = role_holders()
        roles = {
            KeyAccount.Level.KEY: gettext("the sales director"),
            KeyAccount.Level.CORE: gettext("the general manager or the chairman"),
        }
        rows = (
            due_by(with_visit_due(KeyAccount.objects.all()), days=days, day=horizon)
            .values("pk", "level", "customer__name", "customer__owner_id", "visit_anchor", "last_visit")
            .order_by("pk")
        )
        for row in rows.iterator(chunk_size=2000):
            due = (timezone.localdate(row["visit_anchor"]) + timedelta(days=days)).isoformat()
            facts = {
                "customer": row["customer__name"],
                "level": str(KeyAccount.Level(row["level"]).label),
                "role": roles[row["level"]],
                "due": due,
                "last": _day(row["last_visit"]),
            }
            # Every holder of the role is reminded; with the post vacant, the owner is told instead.
            for person in holders[row["level"]] or [row["customer__owner_id"]]:
                yield Finding(subject_id=row["pk"], key=f"{due}:{person}", person_id=person, facts=facts)

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        from .models import KeyAccount

        customers = dict(
            KeyAccount.objects.filter(pk__in=[f.subject_id for f in findings], is_active=True).values_list(
                "pk", "customer_id"
            )
        )
        live = [f for f in findings if f.subject_id in customers]
        sent = dict(
            zip(
                [id(f) for f in live],
                _remind(live, {pk: _customer_link(c) for pk, c in customers.items()}),
                strict=True,
            )
        )
        return [sent.get(id(f), False) for f in findings]

    def apply(self, finding: Finding) -> bool:
        return self.apply_batch([finding])[0]
