"""``violation_record_many`` inside PostgreSQL (DIS-1, HR-8): the same records as one by one, written
with one ``INSERT … SELECT … FROM unnest(…)`` per table whatever the number of breaches.

The facts about the people are read once per distinct person (post, department, frontline,
supervisor: one read per level of the reporting lines), the routing once per (department, amount),
the texts formatted from templates translated once. The ids are taken from the tables' sequences
first, so each violation is written with its request and its supervisor's share with its origin:
no UPDATE afterwards. Values travel as array parameters; only the models' own table and column
names are interpolated into the SQL.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.org.selectors import primary_department

from .models import Violation
from .services import _CENT, VIOLATION_REQUEST, Breach, _Answerable, _policy

if TYPE_CHECKING:
    from yingxiao.org.models import User

Item = tuple[Breach, str, Decimal, str]  # (breach, evidence, amount, breach key), validated

# (column, array type) of each table written; the types are the ``unnest`` casts.
_VIOLATION_ARRAYS = (
    ("id", "bigint"),
    ("person", "bigint"),
    ("department", "bigint"),
    ("kind", "text"),
    ("origin", "bigint"),
    ("evidence", "text"),
    ("content_type", "integer"),
    ("object_id", "bigint"),
    ("amount", "numeric"),
    ("breach_key", "text"),
    ("approval", "bigint"),
)
_VIOLATION_CONSTANTS = ("rule_id", "status", "recorded_by", "recorded_at", "repeat_flagged")
_INSTANCE_ARRAYS = (
    ("id", "bigint"),
    ("title", "text"),
    ("object_id", "bigint"),
    ("department", "bigint"),
    ("amount", "numeric"),
    ("note", "text"),
    ("current_step", "bigint"),
    ("current_approver", "bigint"),
)
_INSTANCE_CONSTANTS = ("request_type", "flow", "content_type", "requester", "status", "version", "submitted_at")
_DECISION_ARRAYS = (("instance", "bigint"), ("note", "text"), ("signature", "text"))
_DECISION_CONSTANTS = ("actor", "decision", "decided_at")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert(model: type[models.Model], arrays: tuple[tuple[str, str], ...], constants: tuple[str, ...]) -> str:
    """``INSERT INTO table (columns) SELECT columns FROM unnest(%s::type[], …)`` for the model's fields.

    Parameters in the order of the text: the ``constants`` (one value each), then the arrays."""
    meta = model._meta
    column = {field.name: str(field.column) for field in meta.concrete_fields}
    columns = [column[name] for name, _type in arrays]
    fixed = [column[name] for name in constants]
    names = ", ".join(_quote(c) for c in [*columns, *fixed])
    unnest = ", ".join(f"%s::{kind}[]" for _name, kind in arrays)
    aliases = ", ".join(f"c{i}" for i in range(len(arrays)))
    values = ", ".join([*(f"u.c{i}" for i in range(len(arrays))), *("%s" for _c in fixed)])
    return (
        f"INSERT INTO {_quote(meta.db_table)} ({names}) "  # noqa: S608 - model names only
        f"SELECT {values} FROM unnest({unnest}) AS u({aliases})"
    )


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh ids from the table's own sequence, ascending."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def create_many(actor: User | None, rule_id: str, items: list[Item]) -> list[Violation]:
    """``_create_many`` on PostgreSQL: the pairs, their history, requests and signed submissions
    written set-based; the approvers told after commit. The own violations, in the order of ``items``."""
    from yingxiao.approvals.models import Decision, Instance, Step, minute
    from yingxiao.approvals.registry import get_request_type
    from yingxiao.approvals.services import _advance, approval_submit, flow_for

    if not items:
        return []
    now = timezone.now()
    # --- the people, once each ---
    persons: dict[int, User] = {}
    for breach, *_rest in items:
        persons.setdefault(breach.person.pk, breach.person)
    people = _Answerable()
    people.load(set(persons))
    # rule: DIS-1 — for a frontline employee the direct superior is fined too, at the multiple.
    supervisor_of = people.supervisors([p for p in persons.values() if people.frontline(p)])
    people.load({s.pk for s in supervisor_of.values() if s is not None})
    names = {pk: str(p) for pk, p in persons.items()}
    multiple = Decimal(str(_policy("supervisor_multiple")))
    share_text = str(_("Supervisor of {person}: {evidence}"))
    title_text = str(_("Violation {rule}: {person}, {amount}"))
    content_types: dict[type, int] = {}

    # --- routing: once per (department, amount), as ``approval_submit`` would route each ---
    flow = flow_for(get_request_type(VIOLATION_REQUEST))  # type: ignore[arg-type]
    by_department = any(kind != Step.Kind.ROLE for kind in flow.steps.values_list("kind", flat=True))
    actor_department = primary_department(actor) if actor is not None else None
    routes: dict[tuple[Any, Decimal], tuple[Instance, bool]] = {}
    route_of: list[Instance | None] = []  # per item: the routed request, None = through approval_submit
    departments: list[int | None] = []
    for breach, _evidence, value, _key in items:
        department_id = people.department_id(breach.person.pk)
        departments.append(department_id)
        routed_id = department_id or (actor_department.pk if actor_department else None)
        route_key = (routed_id if by_department else None, value)
        if route_key not in routes:
            probe = Instance(flow=flow, requester=actor, department_id=routed_id, amount=value)
            skipped = _advance(probe, after=None)
            routes[route_key] = (probe, probe.status == Instance.Status.PENDING and not skipped)
        probe, plain = routes[route_key]
        route_of.append(probe if plain else None)

    # --- ids first: each row is written complete ---
    shares = [supervisor_of.get(breach.person.pk) for breach, *_rest in items]
    share_count = sum(1 for s in shares if s is not None)
    violation_ids = iter(_next_ids(Violation, len(items) + share_count))
    own_ids = [next(violation_ids) for _item in items]
    request_ids = iter(_next_ids(Instance, sum(1 for r in route_of if r is not None)))

    v_rows: dict[str, list[Any]] = {name: [] for name, _type in _VIOLATION_ARRAYS}
    i_rows: dict[str, list[Any]] = {name: [] for name, _type in _INSTANCE_ARRAYS}
    returned: list[tuple[Any, ...]] = []
    own_fields = [f.attname for f in Violation._meta.concrete_fields]

    def add_violation(**row: Any) -> None:
        for name, _type in _VIOLATION_ARRAYS:
            v_rows[name].append(row[name])

    waiting: list[tuple[int, str, int]] = []  # (request id, title, approver id) for the notifications
    for index, (breach, evidence, value, key) in enumerate(items):
        content_type = object_id = None
        if breach.subject is not None:
            model = type(breach.subject)
            if model not in content_types:
                content_types[model] = ContentType.objects.get_for_model(breach.subject).pk
            content_type, object_id = content_types[model], breach.subject.pk
        route = route_of[index]
        request_id = next(request_ids) if route is not None else None
        own_id = own_ids[index]
        add_violation(
            id=own_id,
            person=breach.person.pk,
            department=departments[index],
            kind=Violation.Kind.OWN.value,
            origin=None,
            evidence=evidence,
            content_type=content_type,
            object_id=object_id,
            amount=value,
            breach_key=key,
            approval=request_id,
        )
        row = {
            "id": own_id,
            "person_id": breach.person.pk,
            "department_id": departments[index],
            "rule_id": rule_id,
            "kind": Violation.Kind.OWN.value,
            "origin_id": None,
            "evidence": evidence,
            "content_type_id": content_type,
            "object_id": object_id,
            "amount": value,
            "breach_key": key,
            "status": Violation.Status.PROPOSED.value,
            "approval_id": request_id,
            "recorded_by_id": actor.pk if actor is not None else None,
            "recorded_at": now,
            "repeat_flagged": False,
        }
        returned.append(tuple(row.get(name) for name in own_fields))
        supervisor = shares[index]
        if supervisor is not None:
            add_violation(
                id=next(violation_ids),
                person=supervisor.pk,
                department=people.department_id(supervisor.pk),
                kind=Violation.Kind.SUPERVISOR.value,
                origin=own_id,
                evidence=share_text.format(person=names[breach.person.pk], evidence=evidence),
                content_type=content_type,
                object_id=object_id,
                amount=(value * multiple).quantize(_CENT, rounding=ROUND_HALF_UP),
                breach_key=f"{key}#supervisor" if key else "",
                approval=request_id,
            )
        if route is not None and request_id is not None:
            # rule: DIS-1 — the marketing director approves before it counts: one request per pair.
            title = title_text.format(rule=rule_id, person=names[breach.person.pk], amount=value)[:200]
            for name, item in (
                ("id", request_id),
                ("title", title),
                ("object_id", own_id),
                ("department", departments[index] or (actor_department.pk if actor_department else None)),
                ("amount", value),
                ("note", evidence),
                ("current_step", route.current_step.pk if route.current_step else None),
                ("current_approver", route.current_approver.pk if route.current_approver else None),
            ):
                i_rows[name].append(item)
            if route.current_approver is not None:
                waiting.append((request_id, title, route.current_approver.pk))

    actor_id = actor.pk if actor is not None else None
    with connection.cursor() as cursor:
        cursor.execute(
            _insert(Violation, _VIOLATION_ARRAYS, _VIOLATION_CONSTANTS),
            [
                rule_id,
                Violation.Status.PROPOSED.value,
                actor_id,
                now,
                False,
                *(v_rows[name] for name, _type in _VIOLATION_ARRAYS),
            ],
        )
        _created_history(cursor, v_rows["id"], actor_id, now)
        if i_rows["id"]:
            violation_type = ContentType.objects.get_for_model(Violation).pk
            cursor.execute(
                _insert(Instance, _INSTANCE_ARRAYS, _INSTANCE_CONSTANTS),
                [
                    VIOLATION_REQUEST,
                    flow.pk,
                    violation_type,
                    actor_id,
                    Instance.Status.PENDING.value,
                    0,
                    now,
                    *(i_rows[name] for name, _type in _INSTANCE_ARRAYS),
                ],
            )
            # HR-8: the signed submission entry of each request, signed as ``Decision`` signs it.
            at = minute(now)
            signer = Decision(actor_id=actor_id, decision=Decision.Kind.SUBMIT, decided_at=at)
            signatures = []
            for request_id, note in zip(i_rows["id"], i_rows["note"], strict=True):
                signer.instance_id, signer.note = request_id, note
                signatures.append(signer.compute_signature())
            cursor.execute(
                _insert(Decision, _DECISION_ARRAYS, _DECISION_CONSTANTS),
                [actor_id, Decision.Kind.SUBMIT.value, at, i_rows["id"], i_rows["note"], signatures],
            )
    owns = [Violation.from_db(connection.alias, own_fields, values) for values in returned]
    approvers = {r.current_approver.pk: r.current_approver for r, _plain in routes.values() if r.current_approver}
    _notify_approvers(waiting, approvers, actor)

    # A request the routing approves at once or skips steps for: the general path, one by one.
    for index, own in enumerate(owns):
        if route_of[index] is not None:
            continue
        own = Violation.objects.get(pk=own.pk)
        instance = approval_submit(
            actor=actor,
            request_type=VIOLATION_REQUEST,
            subject=own,
            amount=own.amount,
            note=own.evidence,
            title=title_text.format(rule=rule_id, person=names[own.person_id], amount=own.amount),
            department=own.department,
        )
        Violation.objects.filter(Q(pk=own.pk) | Q(origin=own)).update(approval=instance)
        own.refresh_from_db()
        owns[index] = own
    return owns


def _created_history(cursor: Any, ids: list[int], user_id: int | None, now: Any) -> None:
    """The "+" history rows of the violations just inserted, as ``create()`` writes them: copied
    from the rows, before they point at their request (set right after creation one by one)."""
    if not ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = Violation.history.model  # type: ignore[attr-defined]
    tracked = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    approval = Violation._meta.get_field("approval").column
    columns = ", ".join(_quote(c) for c in tracked)
    values = ", ".join("NULL" if c == approval else _quote(c) for c in tracked)
    cursor.execute(
        f"INSERT INTO {_quote(history._meta.db_table)} ({columns}, history_date, history_change_reason, "  # noqa: S608
        f"history_type, history_user_id) SELECT {values}, %s, NULL, '+', %s "
        f"FROM {_quote(Violation._meta.db_table)} WHERE id = ANY(%s::bigint[]) ORDER BY id",
        [now, user_id, ids],
    )


def _notify_approvers(waiting: list[tuple[int, str, int]], approvers: dict[int, User], actor: User | None) -> None:
    """What ``approval_submit`` tells each approver (and their delegate while away), after commit,
    in one insert (``notify_many``)."""
    from django.db import transaction
    from django.urls import reverse
    from django.utils import translation

    from yingxiao.core.notifications import notify_many

    if not waiting:
        return
    away = {pk: str(a) for pk, a in approvers.items() if not a.is_available() and a.delegate is not None}
    with translation.override(settings.LANGUAGE_CODE):  # as ``notify`` renders: once, not per message
        needed = str(_("Approval needed: {title}"))
        on_behalf = str(_("Approval needed on behalf of {who}: {title}"))
    sentinel = 987654321987  # the link of every request, built once: ``reverse`` per request is slow
    prefix, _sentinel, suffix = reverse("approvals:detail", args=[sentinel]).partition(str(sentinel))
    messages: list[tuple[User | None, Any, str]] = []
    for request_id, title, approver_id in waiting:
        approver = approvers[approver_id]
        link = f"{prefix}{request_id}{suffix}"
        messages.append((approver, needed.format(title=title), link))
        if approver_id in away:
            messages.append((approver.delegate, on_behalf.format(who=away[approver_id], title=title), link))

    transaction.on_commit(lambda: notify_many(messages, actor=actor))
