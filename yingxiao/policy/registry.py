"""The rule registry (house style 3): every catalog rule is one declared object in its app's ``rules.py``.

A rule names its ID, the policy parameters it reads, the model its findings are about, the
action on breach and an explanation template; ``check(as_of)`` finds breaches set-based (one
queryset, streamed) and ``apply(finding)`` carries out the action for one breach::

    @register
    class ServiceWindowRelease(Rule):
        id = "CUS-7"
        title = _("Release customers not served within the service window")
        params = ("service_window_days", "qualifying_activity_types")
        action = Action.RELEASE
        subject_model = "customers.Customer"
        explanation = _("%(customer)s was last served on %(last_served)s.")

        def check(self, as_of):
            days = policy_value("service_window_days", at=as_of)
            for row in Customer.objects.filter(...).values("pk", "owner_id", ...).iterator():
                yield Finding(subject_id=row["pk"], key=str(row["last_served"]), person_id=row["owner_id"],
                              facts={"customer": row["name"], "last_served": row["last_served"]})

        def apply(self, finding):  # compare-and-set: True if applied, False if no longer applicable
            return Customer.objects.filter(pk=finding.subject_id, owner_id=finding.person_id, ...).update(...) == 1

The engine records each finding once per ``(rule, subject, key)`` — the key names the period or
occurrence (a date, a deadline, a month) — so sweeps can be repeated, run concurrently or
resumed after a crash without recording or applying a breach twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .catalog import BY_NAME
from .models import RuleResult

if TYPE_CHECKING:
    from .engine import SweepResult

Action = RuleResult.Action
# A catalog ID ("CUS-7"), optionally with a letter for a companion rule ("CUS-7r": its reminder).
_RULE_ID = re.compile(r"^[A-Z]{2,5}(-\d{1,3}[a-z]?)?$")


@dataclass(frozen=True)
class Finding:
    """One breach found by ``check``: about ``subject_id`` of the rule's subject model.

    ``key`` names the occurrence (period, deadline, date…) so the same subject can breach the
    rule again later under a new key; ``facts`` are the JSON-able inputs the explanation
    quotes; ``person_id`` is who is concerned (reminded, fined, whose customer is released).
    The engine fills ``as_of``, ``explanation`` and ``result_id`` before calling ``apply``.
    """

    subject_id: int
    key: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)
    person_id: int | None = None
    as_of: dt.datetime | None = None
    explanation: str = ""
    result_id: int | None = None

    @property
    def breach_key(self) -> str:
        return f"{self.subject_id}:{self.key}" if self.key else str(self.subject_id)


class Rule:
    """A declared policy rule; subclass it in an app's ``rules.py`` and decorate with ``@register``."""

    id: ClassVar[str]
    title: ClassVar[str | Promise]
    params: ClassVar[tuple[str, ...]] = ()
    action: ClassVar[str] = Action.REMIND
    subject_model: ClassVar[str]  # "app_label.ModelName"
    explanation: ClassVar[str | Promise] = ""  # %(fact)s / %(param)s placeholders
    batch_size: ClassVar[int] = 500

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        """The breaches as of ``as_of``; read policy with ``policy_value(name, at=as_of)``."""
        raise NotImplementedError

    def apply(self, finding: Finding) -> bool:
        """Carry out the action for one finding; True if done, False if it no longer applies.

        Must be a compare-and-set on the business record (conditional ``update()`` checking the
        row count, or a unique constraint), because the engine may call it for a finding that
        was found earlier. The default for reminders notifies the person concerned.
        """
        if self.action != Action.REMIND:
            raise NotImplementedError(f"{self.id}: apply() is required for action {self.action}")
        if finding.person_id is None:
            return False
        from yingxiao.core.notifications import notify
        from yingxiao.org.models import User

        notify(User.objects.filter(pk=finding.person_id).first(), message=finding.explanation)
        return True

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        """Apply many findings (inside one transaction); override for a set-based action."""
        return [self.apply(finding) for finding in findings]

    # --- optional: the whole sweep inside the database (PostgreSQL) -------------------------
    def check_sql(self, as_of: dt.datetime) -> tuple[str, list[Any]] | None:
        """``check`` as ONE SELECT, so the engine records findings with INSERT … SELECT and no row
        travels through Python. Columns, in this order: ``subject_id``, ``key`` (text, '' for
        none), ``person_id``, ``facts`` (jsonb: the same keys and values ``check`` puts in
        ``Finding.facts``; strings and integers, so the explanation renders the same in SQL).
        None (the default): the engine streams ``check``."""
        return None

    def apply_sql(self) -> ApplySQL | None:
        """The action over a locked batch of pending results, as SQL (used with ``check_sql``).

        ``ctes`` are common table expressions that read ``batch(result_id, subject_id,
        person_id, facts, explanation, breach_key)`` and define ``done(subject_id, person_id, label)``: the
        subjects the compare-and-set changed. The engine marks the rest of the batch skipped, all
        in one statement per batch, and hands ``after_apply_sql`` the done rows per person."""
        return None

    def after_apply_sql(self, per_person: list[tuple[int | None, int, list[str]]]) -> None:
        """After a batch applied by ``apply_sql``: (person_id, count, first labels) per person."""

    def violation_sql(self, as_of: dt.datetime) -> ApplySQL | None:
        """A VIOLATE rule's compare-and-set as SQL, so the engine applies a whole batch of pending
        results in a few statements, the discipline ledger written set-based (PostgreSQL; with or
        without ``check_sql``). None (the default): the engine calls ``apply_batch``.

        Called once per ``as_of`` of the pending results: read the policy numbers (the fine) with
        ``policy_value(name, at=as_of)`` and pass them in ``params``. ``ctes`` read
        ``batch(result_id, subject_id, person_id, facts, explanation, breach_key)`` — the batch,
        all of that ``as_of`` — and define (the result row itself may not be written yet: the
        engine's one-pass path inserts it, decided, in the same statement; read ``batch`` only)::

            breached(result_id, person_id, amount, breach_key, subject_type_id, object_id, evidence)

        one row per result still in breach, carrying what ``apply_batch`` would put in the ``Breach``
        it hands to ``violation_record_many``: the person (an id), the amount, the ledger's breach
        key, the subject as content type id and object id (both NULL for none) and the evidence
        (usually ``explanation``). The engine records them with ``violation_record_rows`` (the same
        violations, supervisor's share, approvals, signed entries, notifications and history) and
        marks the rest of the batch skipped. Further data-modifying CTEs may read ``breached`` (e.g.
        an event per subject); they run in the batch's first statement. A batch that fails (bad
        amount, a breach key a concurrent sweep recorded first) is rolled back and applied through
        ``apply_batch`` instead, one by one if that fails too. The rule's ``batch_size`` applies;
        with this method a few thousand is right (a few statements per batch whatever its size).
        Example (QUO-1, ``sales/rules.py``)::

            def violation_sql(self, as_of):
                return ApplySQL(
                    ctes='''breached AS (
                        SELECT b.result_id, q.assignee_id, %(fine)s::numeric, 'QUO-1:request:' || q.id,
                               %(subject_type)s::integer, q.id, b.explanation
                        FROM batch AS b JOIN sales_quoterequest AS q ON q.id = b.subject_id
                        WHERE q.assignee_id = b.person_id AND q.due_at < %(as_of)s AND …)''',
                    params={"fine": policy_value("nonstandard_quote_fine", at=as_of), …},
                )
        """
        return None

    def __repr__(self) -> str:
        return f"<Rule {self.id}>"


@dataclass(frozen=True)
class ApplySQL:
    """See ``Rule.apply_sql`` and ``Rule.violation_sql``: CTE text with ``%(name)s`` placeholders
    (a literal ``%`` written ``%%``) and their values."""

    ctes: str
    params: dict[str, Any]


_rules: dict[str, Rule] = {}


def register[R: (type[Rule], Rule)](rule: R) -> R:
    """Add a rule (class or instance) to the engine; usable as a class decorator."""
    instance = rule() if isinstance(rule, type) else rule
    rule_id = getattr(instance, "id", "")
    if not _RULE_ID.match(rule_id or ""):
        raise ImproperlyConfigured(f"Rule {instance!r} needs an id like 'CUS-7'")
    unknown = [name for name in instance.params if name not in BY_NAME]
    if unknown:
        raise ImproperlyConfigured(f"Rule {rule_id} reads unknown policy parameters: {', '.join(unknown)}")
    if instance.action not in Action.values:
        raise ImproperlyConfigured(f"Rule {rule_id} has an unknown action {instance.action!r}")
    if not getattr(instance, "subject_model", ""):
        raise ImproperlyConfigured(f"Rule {rule_id} must name its subject_model")
    existing = _rules.get(rule_id)
    if existing is not None and type(existing).__qualname__ != type(instance).__qualname__:
        raise ImproperlyConfigured(f"Rule {rule_id} is registered twice ({existing!r}, {instance!r})")
    _rules[rule_id] = instance
    return rule


def unregister(rule_id: str) -> None:
    """Remove a rule (tests register throw-away rules)."""
    _rules.pop(rule_id, None)


def get_rule(rule_id: str) -> Rule:
    from yingxiao.core.errors import BusinessError

    from .errors import UNKNOWN_RULE

    try:
        return _rules[rule_id]
    except KeyError:
        raise BusinessError(UNKNOWN_RULE, rule=rule_id) from None


def all_rules() -> list[Rule]:
    """Every registered rule, in rule-ID order."""
    return [_rules[key] for key in sorted(_rules, key=_sort_key)]


def _sort_key(rule_id: str) -> tuple[str, int]:
    prefix, _sep, number = rule_id.partition("-")
    return (prefix, int(number) if number.isdigit() else 0)


def autodiscover() -> None:
    """Import ``rules`` of every installed app, so their ``@register`` calls run."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("rules")


def run_sweep(
    rule_id: str | None = None,
    *,
    as_of: dt.datetime | None = None,
    dry_run: bool = False,
    progress: Any = None,
) -> SweepResult:
    """Run one rule or all of them for ``as_of`` (default now); see ``engine.sweep``."""
    from .engine import sweep

    return sweep(rule_id, as_of=as_of, dry_run=dry_run, progress=progress)


ACTION_LABELS: dict[str, str | Promise] = {
    Action.REMIND: _("reminder"),
    Action.VIOLATE: _("violation"),
    Action.RELEASE: _("release"),
    Action.ESCALATE: _("escalation"),
}
