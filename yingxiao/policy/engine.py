"""The sweep: run rules for an as-of time, record each breach once, apply its action once.

Exactly-once, by the database (house style 7):
1. ``check`` streams findings; they are inserted in chunks as ``RuleResult`` rows with
   INSERT … ON CONFLICT DO NOTHING on ``(rule_id, breach_key)``. Running twice, two schedulers
   at once, or a restarted worker re-finding the same breach inserts nothing new.
2. Pending results are applied in chunks: each chunk is locked (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, the write lock on SQLite), applied and marked decided in one transaction, so a
   worker killed mid-chunk leaves the chunk pending for the next run, and two concurrent runs
   never apply the same result. Each apply is itself a compare-and-set on the business record.
A dry run computes the same findings and says which are new, writing only its ``RuleRun``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yingxiao.core.sql import array_literal, id_sequence

from . import kinds, values
from .catalog import BY_NAME, Unit
from .models import RuleResult, RuleRun
from .registry import ApplySQL, Finding, Rule, all_rules, get_rule

logger = logging.getLogger(__name__)

CHUNK = 1000
PREVIEW_LIMIT = 500
STALE_RUN_AFTER = dt.timedelta(hours=6)
Progress = Callable[[str], None]


@dataclass
class RunSummary:
    """What one rule's run found and did (``previews``: the first findings, for dry-run pages)."""

    rule_id: str
    run_id: int
    mode: str
    found: int = 0
    recorded: int = 0
    applied: int = 0
    skipped: int = 0
    failed: int = 0
    already_recorded: int = 0
    previews: list[FindingPreview] = field(default_factory=list)


@dataclass(frozen=True)
class FindingPreview:
    subject_id: int
    person_id: int | None
    breach_key: str
    explanation: str
    already_recorded: bool


@dataclass
class SweepResult:
    """The runs of one sweep, one per rule."""

    as_of: dt.datetime
    dry_run: bool
    runs: list[RunSummary] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(getattr(run, attr) for run in self.runs)

    @property
    def found(self) -> int:
        return self.total("found")

    @property
    def recorded(self) -> int:
        return self.total("recorded")

    @property
    def applied(self) -> int:
        return self.total("applied")


def _jsonable(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _param_text(params: dict[str, Any]) -> str:
    parts = []
    for name, stored in params.items():
        spec = BY_NAME[name]
        unit = str(Unit.LABELS.get(spec.unit, ""))
        parts.append(f"{name} = {kinds.display(spec, stored)}{' ' + unit if unit and unit != '%' else unit}")
    return "; ".join(parts)


def explain(rule: Rule, facts: dict[str, Any], params: dict[str, Any], as_of: dt.datetime) -> str:
    """The plain-language explanation of a finding, in the active language."""
    context = {**{k: kinds.display(BY_NAME[k], v) for k, v in params.items()}, **facts}
    context["as_of"] = timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M")
    try:
        detail = str(rule.explanation) % context if rule.explanation else ""
    except (KeyError, TypeError, ValueError):
        detail = str(rule.explanation)
    text = _("%(rule)s %(title)s (as of %(as_of)s): %(detail)s") % {
        "rule": rule.id,
        "title": rule.title,
        "as_of": context["as_of"],
        "detail": detail,
    }
    if params:
        text += " " + _("Policy in force: %(policy)s.") % {"policy": _param_text(params)}
    return text


class Explainer:
    """``explain`` for many findings of one run: the parts that do not depend on the facts
    (policy values, titles, translations) are rendered once; the text is the same as ``explain``'s.

    ``frame`` is the text around a finding's own part: the bulk insert sends that part per row and
    the frame once (a CUS-7 sweep at 1M customers writes tens of thousands of explanations)."""

    def __init__(self, rule: Rule, params: dict[str, Any], as_of: dt.datetime) -> None:
        self.rule_id = rule.id
        self.shown = {k: kinds.display(BY_NAME[k], v) for k, v in params.items()}
        self.as_of_text = timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M")
        self.template = str(rule.explanation) if rule.explanation else ""
        self.head = _("%(rule)s %(title)s (as of %(as_of)s): %(detail)s")
        self.title = str(rule.title)
        self.tail = (" " + _("Policy in force: %(policy)s.") % {"policy": _param_text(params)}) if params else ""
        prefix, _marker, suffix = self._wrap("\x00").partition("\x00")
        self.frame = (prefix, suffix)

    def _wrap(self, detail: str) -> str:
        return self.head % {"rule": self.rule_id, "title": self.title, "as_of": self.as_of_text, "detail": detail} + (
            self.tail
        )

    def detail(self, facts: dict[str, Any]) -> str:
        context = {**self.shown, **facts, "as_of": self.as_of_text}
        try:
            return self.template % context if self.template else ""
        except (KeyError, TypeError, ValueError):
            return self.template

    def __call__(self, facts: dict[str, Any]) -> str:
        return self._wrap(self.detail(facts))


def explainer(rule: Rule, params: dict[str, Any], as_of: dt.datetime) -> Explainer:
    return Explainer(rule, params, as_of)


def explain_result(result: RuleResult) -> str:
    """Re-render a recorded result's explanation in the active language (falls back to the stored text)."""
    try:
        rule = get_rule(result.rule_id)
    except Exception:  # the rule may have been removed since
        return result.explanation
    inputs = result.inputs or {}
    return explain(rule, inputs.get("facts", {}), inputs.get("params", {}), result.as_of)


def _chunks(iterable: Iterable[Finding], size: int) -> Iterator[list[Finding]]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def sweep(
    rule_id: str | None = None,
    *,
    as_of: dt.datetime | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> SweepResult:
    """Run one rule (or every registered rule) for ``as_of``; see the module docstring."""
    values.invalidate()
    as_of = as_of or timezone.now()
    rules = [get_rule(rule_id)] if rule_id else all_rules()
    result = SweepResult(as_of=as_of, dry_run=dry_run)
    for rule in rules:
        result.runs.append(_run_rule(rule, as_of=as_of, dry_run=dry_run, progress=progress))
    return result


def _run_rule(rule: Rule, *, as_of: dt.datetime, dry_run: bool, progress: Progress | None) -> RunSummary:
    params = values.stored_values(rule.params, at=as_of)
    mode = RuleRun.Mode.DRY_RUN if dry_run else RuleRun.Mode.APPLY
    if not dry_run:
        # A run whose worker died long ago will never finish: say so, the next run resumes its work.
        RuleRun.objects.filter(
            rule_id=rule.id, status=RuleRun.Status.RUNNING, started_at__lt=timezone.now() - STALE_RUN_AFTER
        ).update(status=RuleRun.Status.FAILED, finished_at=timezone.now(), error="abandoned (worker lost)")
    run = RuleRun.objects.create(rule_id=rule.id, as_of=as_of, mode=mode, params=params)
    summary = RunSummary(rule_id=rule.id, run_id=run.pk, mode=mode)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            in_db = _in_database(rule, as_of, params)
            if in_db and dry_run:
                _preview_sql(rule, run, summary, in_db)
            elif dry_run:
                _preview(rule, run, summary, params, progress)
            elif in_db and in_db.apply is not None:
                _record_and_apply_sql(rule, run, summary, params, in_db, progress)
            elif in_db and (violate := _violation_sql(rule, as_of)) is not None:
                _record_and_violate_sql(rule, run, summary, params, in_db, violate, progress)
            elif in_db:
                _record_sql(rule, run, summary, params, in_db)
                _apply_pending_sql(rule, summary, progress, in_db.apply)
            else:
                _record(rule, run, summary, params, progress)
                _apply_pending(rule, summary, progress)
    except Exception as exc:
        RuleRun.objects.filter(pk=run.pk).update(
            status=RuleRun.Status.FAILED, finished_at=timezone.now(), error=repr(exc)[:2000], **_counts(summary)
        )
        logger.exception("rule %s failed", rule.id)
        raise
    RuleRun.objects.filter(pk=run.pk).update(status=RuleRun.Status.DONE, finished_at=timezone.now(), **_counts(summary))
    if progress:
        progress(
            _("%(rule)s done: %(found)s found, %(recorded)s newly recorded, %(applied)s applied, %(skipped)s skipped.")
            % {
                "rule": rule.id,
                "found": summary.found,
                "recorded": summary.recorded,
                "applied": summary.applied,
                "skipped": summary.skipped,
            }
        )
    return summary


def _counts(summary: RunSummary) -> dict[str, int]:
    return {
        "found": summary.found,
        "recorded": summary.recorded,
        "applied": summary.applied,
        "skipped": summary.skipped,
    }


def _findings(rule: Rule, as_of: dt.datetime, render: Explainer) -> Iterator[Finding]:
    with whole_result_plans():
        for finding in rule.check(as_of):
            facts = _jsonable(dict(finding.facts))
            yield replace(finding, facts=facts, as_of=as_of, explanation=render(facts))


@contextmanager
def whole_result_plans() -> Iterator[None]:
    """Plan streamed queries for reading every row, not the first few.

    A check streams its findings through a server-side cursor, which PostgreSQL plans for the
    first 10% of the rows (``cursor_tuple_fraction``): fast-start nested loops that probe an index
    per candidate row. A sweep reads all of them, so hash joins over the whole set are what it
    wants (at 1M customers the CUS-7 check otherwise spends most of its time in index probes).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('cursor_tuple_fraction', '1.0', false)")
    try:
        yield
    finally:
        if not connection.needs_rollback:  # a failed transaction's rollback undoes the setting itself
            with connection.cursor() as cursor:
                cursor.execute("RESET cursor_tuple_fraction")


def _preview(rule: Rule, run: RuleRun, summary: RunSummary, params: dict[str, Any], progress: Progress | None) -> None:
    for chunk in _chunks(_findings(rule, run.as_of, explainer(rule, params, run.as_of)), CHUNK):
        keys = [finding.breach_key for finding in chunk]
        existing = set(
            RuleResult.objects.filter(rule_id=rule.id, breach_key__in=keys).values_list("breach_key", flat=True)
        )
        summary.found += len(chunk)
        summary.already_recorded += len(existing)
        summary.recorded += len(chunk) - len(existing)
        room = PREVIEW_LIMIT - len(summary.previews)
        summary.previews.extend(
            FindingPreview(f.subject_id, f.person_id, f.breach_key, f.explanation, f.breach_key in existing)
            for f in chunk[: max(room, 0)]
        )
        if progress:
            progress(_("%(rule)s: %(found)s found so far (dry run)") % {"rule": rule.id, "found": summary.found})


def _record(rule: Rule, run: RuleRun, summary: RunSummary, params: dict[str, Any], progress: Progress | None) -> None:
    app_label, model_name = rule.subject_model.split(".")
    subject_type = ContentType.objects.get_for_model(apps.get_model(app_label, model_name))
    render = explainer(rule, params, run.as_of)
    for chunk in _chunks(_findings(rule, run.as_of, render), CHUNK):
        if connection.vendor == "postgresql":
            _insert_results(rule, run, subject_type.pk, params, chunk, render.frame)
            summary.found += len(chunk)
            if progress:
                progress(_("%(rule)s: %(found)s found so far") % {"rule": rule.id, "found": summary.found})
            continue
        rows = [
            RuleResult(
                run=run,
                rule_id=rule.id,
                breach_key=finding.breach_key,
                action=rule.action,
                subject_type=subject_type,
                subject_id=finding.subject_id,
                person_id=finding.person_id,
                as_of=run.as_of,
                inputs={"facts": finding.facts, "params": params},
                explanation=finding.explanation,
            )
            for finding in sorted(chunk, key=lambda f: f.breach_key)  # one lock order for concurrent sweeps
        ]
        RuleResult.objects.bulk_create(rows, ignore_conflicts=True)
        summary.found += len(chunk)
        if progress:
            progress(_("%(rule)s: %(found)s found so far") % {"rule": rule.id, "found": summary.found})
    summary.recorded = RuleResult.objects.filter(run=run).count()
    summary.already_recorded = summary.found - summary.recorded


def _insert_results(
    rule: Rule,
    run: RuleRun,
    subject_type_id: int,
    params: dict[str, Any],
    chunk: list[Finding],
    frame: tuple[str, str] = ("", ""),
) -> None:
    """PostgreSQL: the chunk's results in ONE statement (arrays unnested), in breach-key order,
    ``ON CONFLICT DO NOTHING`` on (rule_id, breach_key) exactly as ``bulk_create(ignore_conflicts=True)``.

    What is the same for every row travels once: the policy values of the inputs and the
    explanation's frame (``Explainer.frame``) are put around each row's own part by the database."""
    ordered = sorted(chunk, key=lambda f: f.breach_key)  # one lock order for concurrent sweeps
    prefix, suffix = frame
    texts = [f.explanation for f in ordered]
    if all(t.startswith(prefix) and t.endswith(suffix) and len(t) >= len(prefix) + len(suffix) for t in texts):
        details = [t[len(prefix) : len(t) - len(suffix)] for t in texts]
    else:  # a finding explained otherwise: send each text whole
        prefix, suffix, details = "", "", texts
    meta = RuleResult._meta
    col = {name: connection.ops.quote_name(meta.get_field(name).column) for name in _RESULT_COLUMNS}
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(col[name] for name in _RESULT_COLUMNS)
    # Only the model's own table and column names are interpolated; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608
        "SELECT %s, %s, t.k, %s, %s, t.s, t.p, %s, "
        "jsonb_build_object('facts', t.i::jsonb, 'params', %s::jsonb), %s || t.e || %s, %s, '', %s "
        "FROM unnest(%s::text[], %s::bigint[], %s::bigint[], %s::text[], %s::text[]) "
        "WITH ORDINALITY AS t(k, s, p, i, e, n) ORDER BY t.n ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                run.pk,
                rule.id,
                rule.action,
                subject_type_id,
                run.as_of,
                json.dumps(params),
                prefix,
                suffix,
                RuleResult.Outcome.PENDING,
                timezone.now(),
                array_literal([f.breach_key for f in ordered]),
                array_literal([f.subject_id for f in ordered], "bigint"),
                array_literal([f.person_id for f in ordered], "bigint"),
                array_literal([json.dumps(f.facts) for f in ordered]),
                array_literal(details),
            ],
        )


_RESULT_COLUMNS = (
    "run",
    "rule_id",
    "breach_key",
    "action",
    "subject_type",
    "subject_id",
    "person",
    "as_of",
    "inputs",
    "explanation",
    "outcome",
    "outcome_note",
    "recorded_at",
)


def _apply_pending(rule: Rule, summary: RunSummary, progress: Progress | None, ids: list[int] | None = None) -> None:
    """Apply every pending result of the rule (or of ``ids`` only), chunk by chunk, each chunk in
    one transaction. A violation rule with ``violation_sql`` is applied set-based on PostgreSQL
    (``_apply_violations_sql``)."""
    if ids is None and _apply_violations_sql(rule, summary, progress):
        return
    last_pk = 0
    pending = RuleResult.objects.select_for_update(skip_locked=True).filter(
        rule_id=rule.id, outcome=RuleResult.Outcome.PENDING
    )
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    while True:
        with transaction.atomic():
            batch = [
                Finding(
                    subject_id=subject_id,
                    key=breach_key.partition(":")[2],
                    facts=(inputs or {}).get("facts", {}),
                    person_id=person_id,
                    as_of=as_of,
                    explanation=explanation,
                    result_id=pk,
                )
                for pk, subject_id, breach_key, person_id, inputs, explanation, as_of in (
                    pending.filter(pk__gt=last_pk)
                    .order_by("pk")
                    .values_list("pk", "subject_id", "breach_key", "person_id", "inputs", "explanation", "as_of")[
                        : rule.batch_size
                    ]
                )
            ]
            if not batch:
                return
            last_pk = batch[-1].result_id or 0
            outcomes = _apply_batch(rule, batch)
            now = timezone.now()
            for outcome, note_ids in _group(outcomes).items():
                for note, ids in note_ids.items():
                    # By primary key only: this transaction locked these rows while they were pending,
                    # so nobody else can have decided them. (An ``outcome = 'pending'`` condition lets
                    # the planner pick the partial pending index, which in one long transaction still
                    # lists every row decided so far: quadratic.)
                    RuleResult.objects.filter(pk__in=ids).update(
                        outcome=outcome, outcome_note=note[:500], decided_at=now
                    )
        summary.applied += sum(1 for outcome, _note in outcomes.values() if outcome == RuleResult.Outcome.APPLIED)
        summary.skipped += sum(1 for outcome, _note in outcomes.values() if outcome == RuleResult.Outcome.SKIPPED)
        summary.failed += sum(1 for outcome, _note in outcomes.values() if outcome == RuleResult.Outcome.FAILED)
        if progress:
            progress(_("%(rule)s: %(applied)s applied so far") % {"rule": rule.id, "applied": summary.applied})


def _apply_batch(rule: Rule, findings: list[Finding]) -> dict[int, tuple[str, str]]:
    """Outcome per result id; a failing batch is retried one by one so one bad row cannot block the rest."""
    try:
        with transaction.atomic():
            done = rule.apply_batch(findings)
        return {
            f.result_id or 0: (RuleResult.Outcome.APPLIED if ok else RuleResult.Outcome.SKIPPED, "")
            for f, ok in zip(findings, done, strict=True)
        }
    except Exception:
        logger.warning("rule %s: batch apply failed, retrying one by one", rule.id, exc_info=True)
    outcomes: dict[int, tuple[str, str]] = {}
    for finding in findings:
        try:
            with transaction.atomic():
                ok = rule.apply(finding)
            outcomes[finding.result_id or 0] = (
                RuleResult.Outcome.APPLIED if ok else RuleResult.Outcome.SKIPPED,
                "",
            )
        except Exception as exc:
            logger.exception("rule %s: apply failed for %s", rule.id, finding.breach_key)
            outcomes[finding.result_id or 0] = (RuleResult.Outcome.FAILED, repr(exc))
    return outcomes


# --- the sweep inside the database (PostgreSQL, rules with ``check_sql``) --------------------
@dataclass(frozen=True)
class _InDatabase:
    """A rule's check as SQL, its explanation as an SQL expression over ``q.facts``, its action."""

    check: tuple[str, list[Any]]
    render: Explainer
    detail: tuple[str, list[Any]]
    apply: ApplySQL | None


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%|%")


def _detail_sql(render: Explainer) -> tuple[str, list[Any]] | None:
    """The rule's explanation template as one SQL expression over ``q.facts`` (None: only Python
    can render it). Facts win over policy values, as in ``Explainer.detail``; a missing fact
    renders as Python would render ``None``."""
    parts: list[str] = []
    params: list[Any] = []
    position = 0
    for match in _PLACEHOLDER.finditer(render.template):
        literal = render.template[position : match.start()]
        position = match.end()
        if literal:
            parts.append("%s")
            params.append(literal)
        if match.group(0) == "%%":
            parts.append("%s")
            params.append("%")
            continue
        name = match.group(1)
        if name is None:  # a format this translation into SQL does not know
            return None
        if name == "as_of":
            parts.append("%s")
            params.append(render.as_of_text)
        else:
            parts.append("COALESCE(q.facts ->> %s, %s)")
            params += [name, render.shown.get(name, "None")]
    if render.template[position:]:
        parts.append("%s")
        params.append(render.template[position:])
    return (" || ".join(parts) if parts else "''"), params


def _in_database(rule: Rule, as_of: dt.datetime, params: dict[str, Any]) -> _InDatabase | None:
    if connection.vendor != "postgresql":
        return None
    check = rule.check_sql(as_of)
    if check is None:
        return None
    render = explainer(rule, params, as_of)
    detail = _detail_sql(render)
    if detail is None:
        return None
    return _InDatabase(check=check, render=render, detail=detail, apply=rule.apply_sql())


def _findings_sql(in_db: _InDatabase) -> tuple[str, list[Any]]:
    """``q``: the check's rows with their breach key (as ``Finding.breach_key``) and explanation.

    ``OFFSET 0`` keeps the check a subquery of its own: flattened into this one, its ``facts``
    expression (a ``jsonb_build_object`` of formatted columns) would be computed again for every
    ``facts ->> …`` of the explanation."""
    check_sql, check_params = in_db.check
    detail_sql, detail_params = in_db.detail
    prefix, suffix = in_db.render.frame
    # Only SQL the rule and this module wrote is interpolated; every value is a parameter.
    sql = (
        "SELECT q.subject_id, q.person_id, q.facts, "  # noqa: S608
        "CASE WHEN q.key = '' THEN q.subject_id::text ELSE q.subject_id::text || ':' || q.key END AS breach_key, "
        f"%s || {detail_sql} || %s AS explanation "
        f"FROM (SELECT * FROM ({check_sql}) AS c(subject_id, key, person_id, facts) OFFSET 0) AS q"
    )
    return sql, [prefix, *detail_params, suffix, *check_params]


def _record_sql(rule: Rule, run: RuleRun, summary: RunSummary, params: dict[str, Any], in_db: _InDatabase) -> None:
    """Every finding recorded by ONE ``INSERT … SELECT`` (in breach-key order, the lock order of
    concurrent sweeps; ``ON CONFLICT DO NOTHING`` records a breach once)."""
    findings_sql, findings_params = _findings_sql(in_db)
    meta = RuleResult._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in _RESULT_COLUMNS)
    app_label, model_name = rule.subject_model.split(".")
    subject_type = ContentType.objects.get_for_model(apps.get_model(app_label, model_name))
    sql = (
        f"WITH f AS MATERIALIZED ({findings_sql}), ins AS ("  # noqa: S608
        f"INSERT INTO {table} ({columns}) "
        "SELECT %s, %s, f.breach_key, %s, %s, f.subject_id, f.person_id, %s, "
        "jsonb_build_object('facts', f.facts, 'params', %s::jsonb), f.explanation, %s, '', %s "
        "FROM f ORDER BY f.breach_key ON CONFLICT DO NOTHING RETURNING 1) "
        "SELECT (SELECT count(*) FROM f), (SELECT count(*) FROM ins)"
    )
    values = [
        *findings_params,
        run.pk,
        rule.id,
        rule.action,
        subject_type.pk,
        run.as_of,
        json.dumps(params),
        RuleResult.Outcome.PENDING,
        timezone.now(),
    ]
    with whole_result_plans(), connection.cursor() as cursor:
        cursor.execute(sql, values)
        summary.found, summary.recorded = cursor.fetchone()
    summary.already_recorded = summary.found - summary.recorded


def _preview_sql(rule: Rule, run: RuleRun, summary: RunSummary, in_db: _InDatabase) -> None:
    """The dry run in one statement: counts over every finding, the first few shown."""
    findings_sql, findings_params = _findings_sql(in_db)
    table = connection.ops.quote_name(RuleResult._meta.db_table)
    sql = (
        f"SELECT f.subject_id, f.person_id, f.breach_key, f.explanation, r.id IS NOT NULL, "  # noqa: S608
        "count(*) OVER (), count(r.id) OVER () "
        f"FROM ({findings_sql}) AS f LEFT JOIN {table} AS r ON r.rule_id = %s AND r.breach_key = f.breach_key "
        "ORDER BY f.subject_id LIMIT %s"
    )
    with whole_result_plans(), connection.cursor() as cursor:
        cursor.execute(sql, [*findings_params, rule.id, PREVIEW_LIMIT])
        rows = cursor.fetchall()
    if rows:
        summary.found, summary.already_recorded = rows[0][5], rows[0][6]
    summary.recorded = summary.found - summary.already_recorded
    summary.previews = [FindingPreview(row[0], row[1], row[2], row[3], row[4]) for row in rows]


def _batch_values(
    rule: Rule, action_params: dict[str, Any], last: int, more: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The parameters of a sweep's batch statement: the action's own, the rule, the outcomes, where
    the batch starts (after result ``last``), its size and the time now, and ``more``."""
    return {
        **action_params,
        "__rule": rule.id,
        "__pending": RuleResult.Outcome.PENDING,
        "__applied": RuleResult.Outcome.APPLIED,
        "__skipped": RuleResult.Outcome.SKIPPED,
        "__last": last,
        "__size": rule.batch_size,
        "__now": timezone.now(),
        **(more or {}),
    }


def _recording(rule: Rule, run: RuleRun, subject_type: ContentType, params: dict[str, Any]) -> dict[str, Any]:
    """What the batch statements that record results write into each: run, action, subject type,
    as-of and the policy values in force (serialised once per sweep, not per batch)."""
    return {
        "__run": run.pk,
        "__action": rule.action,
        "__type": subject_type.pk,
        "__as_of": run.as_of,
        "__params": json.dumps(params),
    }


_NOTICE_LABELS = 5  # subjects a notice names; the rest is the count
# What a batch applied, per person: how many and the first labels (the ``done`` CTE of a sweep batch).
_DONE_PER_PERSON_SQL = (
    "(SELECT json_agg(p) FROM (SELECT person_id, count(*) AS n, (array_agg(label ORDER BY subject_id))"  # noqa: S608
    f"[1:{_NOTICE_LABELS}] AS labels FROM done GROUP BY person_id) AS p)"
)


class _DonePerPerson:
    """What a sweep's batches applied, per person, handed to ``rule.after_apply_sql`` ONCE per sweep:
    an owner whose customers are released over many batches gets one notice with the total, not
    one per batch (715 at a 700,000-customer release). The sweeps flush it in ``finally``: a failing
    batch does not lose the notices of the batches committed before it."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.per_person: dict[int | None, tuple[int, list[str]]] = {}

    def add(self, per_person: list[dict[str, Any]] | None) -> None:
        for row in per_person or ():
            count, labels = self.per_person.get(row["person_id"], (0, []))
            self.per_person[row["person_id"]] = (count + row["n"], (labels + row["labels"])[:_NOTICE_LABELS])

    def flush(self) -> None:
        if self.per_person:
            self.rule.after_apply_sql([(person, n, labels) for person, (n, labels) in self.per_person.items()])
            self.per_person = {}


def _apply_pending_sql(rule: Rule, summary: RunSummary, progress: Progress | None, action: ApplySQL | None) -> None:
    """Pending results applied batch by batch, each batch ONE statement: lock the batch
    (``FOR UPDATE SKIP LOCKED``), the rule's compare-and-set CTEs, mark every result of the batch
    applied or skipped. A rule without ``apply_sql`` takes the Python path for its action."""
    if action is None:
        _apply_pending(rule, summary, progress)
        return
    table = connection.ops.quote_name(RuleResult._meta.db_table)
    sql = (
        "WITH batch AS ("  # noqa: S608
        "SELECT r.id AS result_id, r.subject_id, r.person_id, r.inputs -> 'facts' AS facts, r.explanation, "
        "r.breach_key "
        f"FROM {table} AS r WHERE r.rule_id = %(__rule)s AND r.outcome = %(__pending)s AND r.id > %(__last)s "
        "ORDER BY r.id LIMIT %(__size)s FOR UPDATE SKIP LOCKED"
        # ``IN (SELECT …)`` is a hashed subplan; a join with ``done`` would be planned as a nested
        # loop (a CTE's row estimate is 1): a million comparisons per batch of a thousand.
        f"), {action.ctes}, decided AS ("
        f"UPDATE {table} AS r SET outcome = CASE WHEN r.subject_id IN (SELECT subject_id FROM done) "
        "THEN %(__applied)s ELSE %(__skipped)s END, decided_at = %(__now)s "
        "FROM batch AS b WHERE r.id = b.result_id "
        "RETURNING r.id, r.outcome = %(__applied)s AS applied) "
        "SELECT (SELECT max(id) FROM decided), (SELECT count(*) FROM decided), "
        f"(SELECT count(*) FROM decided WHERE applied), {_DONE_PER_PERSON_SQL}"
    )
    last = 0
    done_per_person = _DonePerPerson(rule)
    try:
        while True:
            values = _batch_values(rule, action.params, last)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, values)
                last_id, decided, applied, per_person = cursor.fetchone()
                if not decided:
                    return
            done_per_person.add(per_person)
            last = last_id
            summary.applied += applied
            summary.skipped += decided - applied
            if progress:
                progress(_("%(rule)s: %(applied)s applied so far") % {"rule": rule.id, "applied": summary.applied})
    finally:
        done_per_person.flush()


def _record_and_apply_sql(
    rule: Rule,
    run: RuleRun,
    summary: RunSummary,
    params: dict[str, Any],
    in_db: _InDatabase,
    progress: Progress | None,
) -> None:
    """A rule with ``check_sql`` and ``apply_sql``: each result written ONCE, already decided.

    The check runs once into a temporary table, each finding with its result id drawn from the
    results' sequence in breach-key order. Then batch by batch ONE statement (one transaction):
    the batch's breaches not recorded before (unique key) go through the rule's compare-and-set
    CTEs, and their results are inserted applied or skipped. No pending row is written and
    updated again, which at 700,000 releases is most of the bookkeeping. A worker killed
    mid-sweep leaves whole batches behind it; the next sweep finds the rest again, and a breach
    recorded before is neither recorded nor applied again. (Foreign keys to the result, such as
    the pool entry's, are checked at commit, after the result is in.) Pending results an earlier
    run left (the two-step path) are applied first."""
    assert in_db.apply is not None
    _apply_pending_sql(rule, summary, progress, in_db.apply)
    meta = RuleResult._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("id", *_RESULT_COLUMNS, "decided_at"))
    app_label, model_name = rule.subject_model.split(".")
    subject_type = ContentType.objects.get_for_model(apps.get_model(app_label, model_name))
    found = _stage_findings(run, summary, in_db)
    # Only SQL the rule and this module wrote, and names made here, are interpolated; values are parameters.
    sql = (
        f"WITH taken AS (SELECT * FROM {found} WHERE result_id > %(__last)s ORDER BY result_id LIMIT %(__size)s), "  # noqa: S608
        "batch AS (SELECT t.result_id, t.subject_id, t.person_id, t.facts, t.explanation, t.breach_key FROM taken AS t "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS r WHERE r.rule_id = %(__rule)s AND r.breach_key = t.breach_key)), "
        f"{in_db.apply.ctes}, recorded AS ("
        f"INSERT INTO {table} ({columns}) "
        "SELECT b.result_id, %(__run)s, %(__rule)s, b.breach_key, %(__action)s, %(__type)s, b.subject_id, "
        "b.person_id, %(__as_of)s, jsonb_build_object('facts', b.facts, 'params', %(__params)s::jsonb), "
        # ``IN (SELECT …)``: a hashed subplan (see ``_apply_pending_sql``).
        "b.explanation, CASE WHEN b.subject_id IN (SELECT subject_id FROM done) THEN %(__applied)s "
        "ELSE %(__skipped)s END, '', %(__now)s, %(__now)s FROM batch AS b ORDER BY b.breach_key "
        "ON CONFLICT DO NOTHING RETURNING outcome = %(__applied)s AS applied) "
        "SELECT (SELECT max(result_id) FROM taken), (SELECT count(*) FROM taken), (SELECT count(*) FROM recorded), "
        f"(SELECT count(*) FROM recorded WHERE applied), {_DONE_PER_PERSON_SQL}"
    )
    recording = _recording(rule, run, subject_type, params)
    last = 0
    done_per_person = _DonePerPerson(rule)
    try:
        while True:
            values = _batch_values(rule, in_db.apply.params, last, recording)
            with transaction.atomic(), connection.cursor() as cursor:
                # Two sweeps of one rule at once (two schedulers) take turns batch by batch: each
                # batch's statement then sees what the other committed, and the compare-and-set
                # updates of the two never wait on each other in opposite orders.
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"policy.sweep:{rule.id}"])
                cursor.execute(sql, values)
                last_id, taken, recorded, applied, per_person = cursor.fetchone()
                if not taken:
                    break
            done_per_person.add(per_person)
            last = last_id
            summary.recorded += recorded
            summary.applied += applied
            summary.skipped += recorded - applied
            if progress:
                progress(_("%(rule)s: %(applied)s applied so far") % {"rule": rule.id, "applied": summary.applied})
    finally:
        done_per_person.flush()
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {found}")
    summary.already_recorded = summary.found - summary.recorded


def _stage_findings(run: RuleRun, summary: RunSummary, in_db: _InDatabase) -> str:
    """The check run once into a temporary table (its quoted name returned; drop it after), each
    finding with its result id drawn from the results' sequence in breach-key order, the lock
    order of concurrent sweeps. Sets ``summary.found``."""
    findings_sql, findings_params = _findings_sql(in_db)
    found = connection.ops.quote_name(f"policy_sweep_findings_{run.pk}")
    # Only SQL the rule and this module wrote, and names made here, are interpolated; values are parameters.
    with whole_result_plans(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {found} AS SELECT nextval(%s::regclass) AS result_id, f.* "  # noqa: S608
            f"FROM ({findings_sql} ORDER BY 4) AS f",
            [id_sequence(RuleResult), *findings_params],
        )
        summary.found = cursor.rowcount
        cursor.execute(f"CREATE UNIQUE INDEX ON {found} (result_id)")
        cursor.execute(f"ANALYZE {found}")
    return found


# --- violation rules applied set-based (PostgreSQL, rules with ``violation_sql``) ------------
def _apply_violations_sql(rule: Rule, summary: RunSummary, progress: Progress | None) -> bool:
    """The pending results of a violation rule with ``violation_sql``, per ``as_of`` and batch:
    ONE statement locks the batch (``FOR UPDATE SKIP LOCKED``), runs the rule's compare-and-set,
    marks each result applied or skipped and returns the breaches; the ledger records them set-based
    (``violation_record_rows``), all in one transaction per batch. A batch whose ledger write fails
    is rolled back and applied by the Python path (``apply_batch``, one by one on failure).
    False: the rule has no ``violation_sql`` (the caller applies it in Python)."""
    if connection.vendor != "postgresql" or rule.action != RuleResult.Action.VIOLATE:
        return False
    moments = list(
        RuleResult.objects.filter(rule_id=rule.id, outcome=RuleResult.Outcome.PENDING)
        .order_by("as_of")
        .values_list("as_of", flat=True)
        .distinct()
    )
    for as_of in moments:
        action = rule.violation_sql(as_of)
        if action is None:
            return False
        _apply_violations_of(rule, summary, progress, as_of, action)
    return True


def _apply_violations_of(
    rule: Rule, summary: RunSummary, progress: Progress | None, as_of: dt.datetime, action: ApplySQL
) -> None:
    table = connection.ops.quote_name(RuleResult._meta.db_table)
    # Only SQL the rule and this module wrote is interpolated; every value is a parameter.
    sql = (
        "WITH batch AS ("  # noqa: S608
        "SELECT r.id AS result_id, r.subject_id, r.person_id, r.inputs -> 'facts' AS facts, r.explanation, "
        "r.breach_key "
        f"FROM {table} AS r WHERE r.rule_id = %(__rule)s AND r.outcome = %(__pending)s AND r.as_of = %(__as_of)s "
        "AND r.id > %(__last)s ORDER BY r.id LIMIT %(__size)s FOR UPDATE SKIP LOCKED"
        f"), {action.ctes}, decided AS ("
        # ``IN (SELECT …)``: a hashed subplan (see ``_apply_pending_sql``).
        f"UPDATE {table} AS r SET outcome = CASE WHEN r.id IN (SELECT result_id FROM breached) "
        "THEN %(__applied)s ELSE %(__skipped)s END, decided_at = %(__now)s "
        "FROM batch AS b WHERE r.id = b.result_id) "
        "SELECT false, b.result_id, NULL, NULL, NULL, NULL, NULL, NULL FROM batch AS b UNION ALL "
        "SELECT true, x.result_id, x.person_id, x.amount, x.breach_key, x.subject_type_id, x.object_id, x.evidence "
        "FROM breached AS x"
    )
    last = 0
    while True:
        values = _batch_values(rule, action.params, last, {"__as_of": as_of})
        ids: list[int] = []
        breaches: list[Any] | None = None
        with transaction.atomic():
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute(sql, values)
                        rows = cursor.fetchall()
                    ids = [row[1] for row in rows if not row[0]]
                    if not ids:
                        return
                    breaches = _record_breaches(rule, [row for row in rows if row[0]])
            except Exception:
                if not ids:
                    raise  # the statement itself failed: the rule's SQL is wrong
                logger.warning("rule %s: set-based apply failed, applying the batch in Python", rule.id, exc_info=True)
                breaches = None
            if breaches is None:
                _apply_pending(rule, summary, progress, ids=ids)
        last = max(ids)
        if breaches is not None:
            summary.applied += len(breaches)
            summary.skipped += len(ids) - len(breaches)
            if progress:
                progress(_("%(rule)s: %(applied)s applied so far") % {"rule": rule.id, "applied": summary.applied})
        if len(ids) < rule.batch_size:  # a short batch: no unlocked pending result was left after it
            return


def _violation_sql(rule: Rule, as_of: dt.datetime) -> ApplySQL | None:
    if rule.action != RuleResult.Action.VIOLATE:
        return None
    return rule.violation_sql(as_of)


def _record_breaches(rule: Rule, breached: list[tuple[Any, ...]]) -> list[Any]:
    """The ``breached`` rows (flag, result id, person, amount, breach key, subject type, object,
    evidence) into the ledger, one per result in result order (the Python path's order)."""
    from yingxiao.performance.services import LedgerRow, violation_record_rows

    by_result = {row[1]: row for row in breached}
    breaches = [LedgerRow(row[2], row[7], row[3], row[4], row[5], row[6]) for _id, row in sorted(by_result.items())]
    if breaches:
        violation_record_rows(actor_or_system=None, rule_id=rule.id, rows=breaches)
    return breaches


def _record_and_violate_sql(
    rule: Rule,
    run: RuleRun,
    summary: RunSummary,
    params: dict[str, Any],
    in_db: _InDatabase,
    action: ApplySQL,
    progress: Progress | None,
) -> None:
    """A violation rule with ``check_sql`` and ``violation_sql``: each result written ONCE, already
    decided (as ``_record_and_apply_sql``). The check runs once into a temporary table; then per
    batch, in one transaction, ONE statement puts the breaches not recorded before through the
    rule's compare-and-set (``breached``), inserts their results applied or skipped and returns the
    breaches, which the ledger records set-based (``violation_record_rows``). A batch whose ledger
    write fails is rolled back, recorded pending and applied in Python (``apply_batch``). Pending
    results an earlier run left are applied first."""
    _apply_violations_sql(rule, summary, progress)
    meta = RuleResult._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ("id", *_RESULT_COLUMNS, "decided_at")
    columns = ", ".join(quote(str(meta.get_field(name).column)) for name in names)
    app_label, model_name = rule.subject_model.split(".")
    subject_type = ContentType.objects.get_for_model(apps.get_model(app_label, model_name))
    found = _stage_findings(run, summary, in_db)
    # Only SQL the rule and this module wrote, and names made here, are interpolated; values are parameters.
    taken = (
        f"taken AS (SELECT * FROM {found} WHERE result_id > %(__last)s ORDER BY result_id LIMIT %(__size)s), "  # noqa: S608
        "batch AS (SELECT t.result_id, t.subject_id, t.person_id, t.facts, t.explanation, t.breach_key FROM taken AS t "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS r WHERE r.rule_id = %(__rule)s AND r.breach_key = t.breach_key))"
    )
    insert = (
        f"INSERT INTO {table} ({columns}) "
        "SELECT b.result_id, %(__run)s, %(__rule)s, b.breach_key, %(__action)s, %(__type)s, b.subject_id, "
        "b.person_id, %(__as_of)s, jsonb_build_object('facts', b.facts, 'params', %(__params)s::jsonb), b.explanation, "
    )
    sql = (
        f"WITH {taken}, {action.ctes}, recorded AS ({insert}"  # noqa: S608
        # ``IN (SELECT …)``: a hashed subplan (see ``_apply_pending_sql``).
        "CASE WHEN b.result_id IN (SELECT result_id FROM breached) THEN %(__applied)s ELSE %(__skipped)s END, "
        "'', %(__now)s, %(__now)s FROM batch AS b ORDER BY b.breach_key ON CONFLICT DO NOTHING RETURNING id) "
        "SELECT false, (SELECT max(result_id) FROM taken), (SELECT count(*) FROM taken), "
        "(SELECT count(*) FROM recorded)::numeric, NULL::text, NULL::integer, NULL::bigint, NULL::text UNION ALL "
        "SELECT true, x.result_id, x.person_id, x.amount, x.breach_key, x.subject_type_id, x.object_id, x.evidence "
        "FROM breached AS x WHERE x.result_id IN (SELECT id FROM recorded)"
    )
    # The fallback: the batch recorded pending, as ``_record_sql`` records.
    pending = (
        f"WITH {taken} {insert}%(__pending)s, '', %(__now)s, NULL FROM batch AS b ORDER BY b.breach_key "
        "ON CONFLICT DO NOTHING RETURNING id"
    )
    recording = _recording(rule, run, subject_type, params)
    last = 0
    try:
        while True:
            values = _batch_values(rule, action.params, last, recording)
            breaches: list[Any] | None = None
            taken_count = recorded = 0
            with transaction.atomic(), connection.cursor() as cursor:
                # Two sweeps of one rule at once take turns batch by batch (see ``_record_and_apply_sql``).
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"policy.sweep:{rule.id}"])
                try:
                    with transaction.atomic():
                        cursor.execute(sql, values)
                        rows = cursor.fetchall()
                        head = next(row for row in rows if not row[0])
                        last_id, taken_count, recorded = head[1], head[2], int(head[3])
                        if not taken_count:
                            return
                        breaches = _record_breaches(rule, [row for row in rows if row[0]])
                except Exception:
                    if not taken_count:
                        raise  # the statement itself failed: the rule's SQL is wrong
                    logger.warning(
                        "rule %s: set-based apply failed, applying the batch in Python", rule.id, exc_info=True
                    )
                if breaches is None:
                    cursor.execute(pending, values)
                    ids = [row[0] for row in cursor.fetchall()]
                    recorded = len(ids)
                    _apply_pending(rule, summary, progress, ids=ids)
            last = last_id
            summary.recorded += recorded
            if breaches is not None:
                summary.applied += len(breaches)
                summary.skipped += recorded - len(breaches)
            if progress:
                progress(_("%(rule)s: %(applied)s applied so far") % {"rule": rule.id, "applied": summary.applied})
            if taken_count < rule.batch_size:
                return
    finally:
        summary.already_recorded = summary.found - summary.recorded
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {found}")


def _group(outcomes: dict[int, tuple[str, str]]) -> dict[str, dict[str, list[int]]]:
    grouped: dict[str, dict[str, list[int]]] = {}
    for pk, (outcome, note) in outcomes.items():
        grouped.setdefault(outcome, {}).setdefault(note, []).append(pk)
    return grouped
