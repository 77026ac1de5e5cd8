"""The discipline ledger written set-based inside PostgreSQL (DIS-1, HR-8): the same records as
``violation_record`` one by one, with one statement whatever the number of breaches.

``write_rows`` is the core. Its breaches are plain rows (``LedgerRow``: the person and the subject
as ids), so a caller that has them from SQL — the engine applying a violation rule's batch
(``Rule.violation_sql``, through ``violation_record_rows``) — builds no model per breach;
``create_many`` feeds it ``violation_record_many``'s ``Breach``es. The facts about the people are
read once per distinct person (post, department, frontline, supervisor: one read per level of the
reporting lines), the routing once per (department, amount), the texts formatted from templates
translated once. The ids are taken from the tables' sequences first (one round trip), so each
violation is written with its request and its supervisor's share with its origin, and the
violations, their "+" history rows, the requests and their signed submission entries go in ONE
statement (data-modifying CTEs over ``unnest`` of array parameters). Only the models' own table and
column names are interpolated into the SQL.
"""

from __future__ import annotations

import datetime as dt
import json
import json.encoder
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.sql import array_literal, id_sequence
from yingxiao.org.selectors import primary_department

from .models import Violation
from .services import _CENT, VIOLATION_REQUEST, Breach, LedgerRow, _Answerable, _policy

if TYPE_CHECKING:
    from yingxiao.approvals.models import Instance
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
    ("current_step", "bigint"),
    ("current_approver", "bigint"),
)
_INSTANCE_CONSTANTS = ("request_type", "flow", "content_type", "requester", "status", "version", "submitted_at")
_DECISION_ARRAYS = (("instance", "bigint"), ("signature", "text"))
_DECISION_CONSTANTS = ("actor", "decision", "decided_at")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert(
    model: type[models.Model],
    arrays: tuple[tuple[str, str], ...],
    constants: tuple[str, ...],
    joined: tuple[tuple[str, str], ...] = (),
    join: str = "",
) -> str:
    """``INSERT INTO table (columns) SELECT columns FROM unnest(%s::type[], …)`` for the model's fields.

    Parameters in the order of the text: the ``constants`` (one value each), then the arrays.
    ``joined``: (field, SQL expression) taken from the ``join`` clause instead of an array, e.g. a
    text already written by an earlier CTE (not sent and parsed twice); rows in the arrays' order."""
    meta = model._meta
    column = {field.name: str(field.column) for field in meta.concrete_fields}
    columns = [column[name] for name, _type in arrays]
    fixed = [column[name] for name in constants]
    taken = [column[name] for name, _expression in joined]
    names = ", ".join(_quote(c) for c in [*columns, *fixed, *taken])
    unnest = ", ".join(f"%s::{kind}[]" for _name, kind in arrays)
    aliases = ", ".join(f"c{i}" for i in range(len(arrays)))
    values = ", ".join([*(f"u.c{i}" for i in range(len(arrays))), *("%s" for _c in fixed), *(e for _n, e in joined)])
    order = " ORDER BY u.c0" if join else ""
    return (
        f"INSERT INTO {_quote(meta.db_table)} ({names}) "  # noqa: S608 - model names only
        f"SELECT {values} FROM unnest({unnest}) AS u({aliases}){join}{order}"
    )


def _column_index(arrays: tuple[tuple[str, str], ...], name: str) -> int:
    return [field for field, _type in arrays].index(name)


_SEPARATOR = "\x00"  # in no text of the database


def _around(template: str, **fields: Any) -> Callable[[str], str]:
    """``template.format(evidence=…, **fields)`` for many evidences: filled in once around the
    evidence, each breach's text is then two concatenations, not a parse of the template."""
    head, marker, tail = template.format(evidence=_SEPARATOR, **fields).partition(_SEPARATOR)
    if not marker:  # a translation without the evidence: one text for every breach
        return lambda evidence: head
    return lambda evidence: head + evidence + tail


def _arrays(spec: tuple[tuple[str, str], ...], columns: list[list[Any]]) -> list[str]:
    return [array_literal(values, kind) for (_name, kind), values in zip(spec, columns, strict=True)]


def recorded_keys(keys: Sequence[str]) -> dict[str, int]:
    """The violations already recorded under any of ``keys``: breach key → id. One array parameter,
    not one per key, each key looked up in the unique index (its condition repeated, so it applies).
    ``LATERAL … LIMIT 1``: a plain join of thousands of keys was planned as a hash of the whole
    ledger (28 ms at 108,000 violations, growing with it); probing the index stays at a few ms."""
    column = _quote(str(Violation._meta.get_field("breach_key").column))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.{column}, v.{_quote(str(Violation._meta.pk.column))} "  # noqa: S608
            f"FROM unnest(%s::text[]) AS k(key) CROSS JOIN LATERAL (SELECT * FROM "
            f"{_quote(Violation._meta.db_table)} AS x WHERE x.{column} = k.key AND NOT (x.{column} = '') LIMIT 1) AS v",
            [array_literal(keys, "text")],
        )
        return dict(cursor.fetchall())


def _next_ids(violations: int, requests: int) -> tuple[list[int], list[int]]:
    """Fresh ids of violations and of approval requests from the tables' own sequences, each
    ascending, in one round trip."""
    from yingxiao.approvals.models import Instance

    if not violations and not requests:
        return [], []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ARRAY(SELECT nextval(%s::regclass) FROM generate_series(1, %s) ORDER BY 1), "
            "ARRAY(SELECT nextval(%s::regclass) FROM generate_series(1, %s) ORDER BY 1)",
            [id_sequence(Violation), violations, id_sequence(Instance), requests],
        )
        own, instances = cursor.fetchone()
    return list(own), list(instances)


@dataclass(frozen=True)
class Written:
    """What ``write_rows`` wrote, per row: the own violation's id, its department, its approval
    request's id (None: submitted through ``approval_submit``, already linked)."""

    own_ids: list[int]
    departments: list[int | None]
    requests: list[int | None]
    recorded_at: dt.datetime


_UNROUTED = object()


def write_rows(actor: User | None, rule_id: str, rows: Sequence[LedgerRow], persons: dict[int, User]) -> Written:
    """Record validated, not yet recorded breaches (``persons``: every row's person by id): the
    pairs, their history, requests and signed submissions in one statement; the approvers told
    after commit. A request the routing approves at once or skips steps for goes through
    ``approval_submit`` one by one, so its callbacks and trail are the general path's."""
    from yingxiao.approvals.models import Decision, Instance, Step, minute
    from yingxiao.approvals.registry import get_request_type
    from yingxiao.approvals.services import _advance, approval_submit, flow_for

    if not rows:
        return Written([], [], [], timezone.now())
    now = timezone.now()
    # --- the people, once each ---
    people = _Answerable()
    people.load(set(persons))
    # rule: DIS-1 — for a frontline employee the direct superior is fined too, at the multiple.
    supervisor_of = people.supervisors([p for p in persons.values() if people.frontline(p)])
    people.load({s.pk for s in supervisor_of.values() if s is not None})
    names = {pk: str(p) for pk, p in persons.items()}
    department_of = {pk: people.department_id(pk) for pk in persons}
    multiple = Decimal(str(_policy("supervisor_multiple")))
    share_text = str(_("Supervisor of {person}: {evidence}"))
    title_text = str(_("Violation {rule}: {person}, {amount}"))

    # --- routing: once per (department, amount), as ``approval_submit`` would route each ---
    flow = flow_for(get_request_type(VIOLATION_REQUEST))  # type: ignore[arg-type]
    by_department = any(kind != Step.Kind.ROLE for kind in flow.steps.values_list("kind", flat=True))
    actor_department = primary_department(actor) if actor is not None else None
    fallback_department = actor_department.pk if actor_department else None
    routes: dict[tuple[Any, Decimal], Any] = {}
    route_of: list[Instance | None] = []  # per row: the routed request, None = through approval_submit
    departments: list[int | None] = []
    for row in rows:
        department_id = department_of[row.person_id]
        departments.append(department_id)
        routed_id = department_id or fallback_department
        route_key = (routed_id if by_department else None, row.amount)
        route = routes.get(route_key, _UNROUTED)
        if route is _UNROUTED:
            probe = Instance(flow=flow, requester=actor, department_id=routed_id, amount=row.amount)
            skipped = _advance(probe, after=None)
            route = probe if probe.status == Instance.Status.PENDING and not skipped else None
            routes[route_key] = route
        route_of.append(route)

    # --- ids first: each row is written complete ---
    shares = [supervisor_of.get(row.person_id) for row in rows]
    violation_ids, request_ids = _next_ids(
        len(rows) + sum(1 for s in shares if s is not None), sum(1 for r in route_of if r is not None)
    )
    own_ids = violation_ids[: len(rows)]
    share_ids = iter(violation_ids[len(rows) :])
    next_request = iter(request_ids)

    # Per person, once: the supervisor's share (who, department, the evidence's text around the own).
    share_of: dict[int, tuple[int, int | None, Callable[[str], str]]] = {}
    for person_id in persons:
        supervisor = supervisor_of.get(person_id)
        if supervisor is not None:
            text = _around(share_text, person=names[person_id])
            share_of[person_id] = (supervisor.pk, people.department_id(supervisor.pk), text)
    # Per route, once: its step and approver.
    steps = {
        key: (r.current_step.pk if r.current_step else None, r.current_approver.pk if r.current_approver else None)
        for key, r in routes.items()
        if r is not None
    }
    route_key_of = [
        ((d or fallback_department) if by_department else None, row.amount)
        for d, row in zip(departments, rows, strict=True)
    ]
    # Rows in id order (the own violations, then the shares): inserted, and their history copied, in
    # that order without sorting.
    owns: list[tuple[Any, ...]] = []
    shared: list[tuple[Any, ...]] = []
    submitted: list[tuple[Any, ...]] = []
    own_kind, share_kind = Violation.Kind.OWN.value, Violation.Kind.SUPERVISOR.value
    doubled: dict[Decimal, Decimal] = {}
    titles: dict[tuple[int, Decimal], str] = {}
    requests: list[int | None] = []
    waiting: list[tuple[int, str, int]] = []  # (request id, title, approver id) for the notifications
    notes: list[str] = []  # each request's note (its own violation's evidence), for the signatures
    for index, row in enumerate(rows):
        person_id, evidence, value, key = row.person_id, row.evidence, row.amount, row.breach_key
        route = route_of[index]
        request_id = next(next_request) if route is not None else None
        requests.append(request_id)
        own_id = own_ids[index]
        # (id, person, department, kind, origin, evidence, content type, object, amount, key, approval)
        owns.append(
            (own_id, person_id, departments[index], own_kind, None, evidence, row.subject_type_id, row.object_id,
             value, key, request_id)
        )  # fmt: skip
        share = share_of.get(person_id)
        if share is not None:
            if value not in doubled:
                doubled[value] = (value * multiple).quantize(_CENT, rounding=ROUND_HALF_UP)
            shared.append(
                (next(share_ids), share[0], share[1], share_kind, own_id, share[2](evidence),
                 row.subject_type_id, row.object_id, doubled[value], f"{key}#supervisor" if key else "", request_id)
            )  # fmt: skip
        if request_id is not None:
            # rule: DIS-1 — the marketing director approves before it counts: one request per pair.
            title = titles.get((person_id, value))
            if title is None:
                title = titles[person_id, value] = title_text.format(
                    rule=rule_id, person=names[person_id], amount=value
                )[:200]
            step_id, approver_id = steps[route_key_of[index]]
            # (id, title, object, department, amount, step, approver); the note is the own violation's evidence
            submitted.append(
                (request_id, title, own_id, departments[index] or fallback_department, value, step_id, approver_id)
            )
            notes.append(evidence)
            if approver_id is not None:
                waiting.append((request_id, title, approver_id))
    i_rows: dict[str, list[Any]] = {}
    if submitted:
        columns = zip(*submitted, strict=True)
        i_rows = {name: list(column) for (name, _type), column in zip(_INSTANCE_ARRAYS, columns, strict=True)}

    actor_id = actor.pk if actor is not None else None
    sql = "WITH v AS (" + _insert(Violation, _VIOLATION_ARRAYS, _VIOLATION_CONSTANTS) + " RETURNING *)"
    params: list[Any] = [
        rule_id,
        Violation.Status.PROPOSED.value,
        actor_id,
        now,
        False,
        *_arrays(_VIOLATION_ARRAYS, [list(column) for column in zip(*owns, *shared, strict=True)]),
    ]
    history = _created_history("v")
    if history:
        sql += f", h AS ({history})"
        params += [now, actor_id]
    if submitted:
        violation_type = ContentType.objects.get_for_model(Violation).pk
        # The notes are the own violations' evidence, taken from ``v``, not sent twice more.
        evidence, origin, pk = (_quote(str(Violation._meta.get_field(f).column)) for f in ("evidence", "origin", "id"))
        note = (("note", f"v.{evidence}"),)
        own = f" JOIN v ON v.{pk} = u.c{_column_index(_INSTANCE_ARRAYS, 'object_id')}"
        sql += f", i AS ({_insert(Instance, _INSTANCE_ARRAYS, _INSTANCE_CONSTANTS, note, own)})"
        params += [
            VIOLATION_REQUEST,
            flow.pk,
            violation_type,
            actor_id,
            Instance.Status.PENDING.value,
            0,
            now,
            *_arrays(_INSTANCE_ARRAYS, [i_rows[name] for name, _type in _INSTANCE_ARRAYS]),
        ]
        # HR-8: the signed submission entry of each request, signed as ``Decision`` signs it.
        at = minute(now)
        signatures = _submissions_signed(actor_id, at, i_rows["id"], notes)
        approval = _quote(str(Violation._meta.get_field("approval").column))
        request = f" JOIN v ON v.{approval} = u.c0 AND v.{origin} IS NULL"
        sql += f", d AS ({_insert(Decision, _DECISION_ARRAYS, _DECISION_CONSTANTS, note, request)})"
        params += [
            actor_id,
            Decision.Kind.SUBMIT.value,
            at,
            *_arrays(_DECISION_ARRAYS, [i_rows["id"], signatures]),
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql + " SELECT 1", params)
    approvers = {r.current_approver.pk: r.current_approver for r in routes.values() if r and r.current_approver}
    _notify_approvers(waiting, approvers, actor)

    # A request the routing approves at once or skips steps for: the general path, one by one.
    for index, row in enumerate(rows):
        if route_of[index] is not None:
            continue
        own = Violation.objects.get(pk=own_ids[index])
        instance = approval_submit(
            actor=actor,
            request_type=VIOLATION_REQUEST,
            subject=own,
            amount=own.amount,
            note=own.evidence,
            title=title_text.format(rule=rule_id, person=names[row.person_id], amount=own.amount),
            department=own.department,
        )
        Violation.objects.filter(Q(pk=own.pk) | Q(origin=own)).update(approval=instance)
    return Written(own_ids, departments, requests, now)


_SENTINEL_ID = 987654321987
_SENTINEL_NOTE = "\u2063note\u2063"


def _submissions_signed(actor_id: int | None, at: dt.datetime, request_ids: list[int], notes: list[str]) -> list[str]:
    """``Decision.compute_signature`` of the submission entry of each request. The entries differ in
    the request and the note only, so their canonical content is cut once out of ``Decision.content``
    around two sentinels and filled in per entry (``json.dumps`` of a whole entry is most of the cost
    at thousands of requests); checked against ``content`` for the first entry, one by one if the
    layout is not what this expects."""
    from yingxiao.approvals.models import Decision

    signer = Decision(
        actor_id=actor_id, decision=Decision.Kind.SUBMIT, decided_at=at, instance_id=_SENTINEL_ID, note=_SENTINEL_NOTE
    )
    template = signer.content()
    head, _id, rest = template.partition(str(_SENTINEL_ID))
    middle, _note, tail = rest.partition(json.dumps(_SENTINEL_NOTE, ensure_ascii=False))
    quoted = json.encoder.encode_basestring  # ``json.dumps(note, ensure_ascii=False)`` without a new encoder each
    texts = [f"{head}{pk}{middle}{quoted(note)}{tail}" for pk, note in zip(request_ids, notes, strict=True)]
    if texts:
        signer.instance_id, signer.note = request_ids[0], notes[0]
        if not (_id and _note) or texts[0] != signer.content():
            signatures = []
            for pk, note in zip(request_ids, notes, strict=True):
                signer.instance_id, signer.note = pk, note
                signatures.append(signer.compute_signature())
            return signatures
    return [Decision.sign(text) for text in texts]


def create_many(actor: User | None, rule_id: str, items: list[Item]) -> list[Violation]:
    """``_create_many`` on PostgreSQL (``violation_record_many``): ``write_rows`` for the breaches.
    The own violations, in the order of ``items``."""
    if not items:
        return []
    persons: dict[int, User] = {}
    content_types: dict[type, int] = {}
    rows: list[LedgerRow] = []
    for breach, evidence, value, key in items:
        persons.setdefault(breach.person.pk, breach.person)
        content_type = object_id = None
        if breach.subject is not None:
            model = type(breach.subject)
            if model not in content_types:
                content_types[model] = ContentType.objects.get_for_model(breach.subject).pk
            content_type, object_id = content_types[model], breach.subject.pk
        rows.append(LedgerRow(breach.person.pk, evidence, value, key, content_type, object_id))
    written = write_rows(actor, rule_id, rows, persons)
    general = Violation.objects.in_bulk(
        [pk for pk, request in zip(written.own_ids, written.requests, strict=True) if request is None]
    )
    own_fields = [f.attname for f in Violation._meta.concrete_fields]
    owns: list[Violation] = []
    for index, row in enumerate(rows):
        own_id = written.own_ids[index]
        if own_id in general:
            owns.append(general[own_id])
            continue
        values = {
            "id": own_id,
            "person_id": row.person_id,
            "department_id": written.departments[index],
            "rule_id": rule_id,
            "kind": Violation.Kind.OWN.value,
            "origin_id": None,
            "evidence": row.evidence,
            "content_type_id": row.subject_type_id,
            "object_id": row.object_id,
            "amount": row.amount,
            "breach_key": row.breach_key,
            "status": Violation.Status.PROPOSED.value,
            "approval_id": written.requests[index],
            "recorded_by_id": actor.pk if actor is not None else None,
            "recorded_at": written.recorded_at,
            "repeat_flagged": False,
        }
        owns.append(Violation.from_db(connection.alias, own_fields, tuple(values.get(name) for name in own_fields)))
    return owns


def _created_history(source: str) -> str | None:
    """The "+" history rows of the violations a CTE ``source`` inserted (``RETURNING *``), as
    ``create()`` writes them: copied from the rows, before they point at their request (set right
    after creation one by one); in the order inserted (``write_rows`` inserts in id order: a sort
    of thousands of whole rows here spilled to disk). Parameters: the history date, the user. None
    when history is off."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return None
    history = Violation.history.model  # type: ignore[attr-defined]
    tracked = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    approval = Violation._meta.get_field("approval").column
    columns = ", ".join(_quote(c) for c in tracked)
    values = ", ".join("NULL" if c == approval else f"{source}.{_quote(c)}" for c in tracked)
    return (
        f"INSERT INTO {_quote(history._meta.db_table)} ({columns}, history_date, history_change_reason, "  # noqa: S608
        f"history_type, history_user_id) SELECT {values}, %s, NULL, '+', %s "
        f"FROM {source}"
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
