"""KPI registry: every figure equals its drill-down, for every persona, within the viewer's scope (ORG-5)."""

from __future__ import annotations

import pytest

from yingxiao.core.errors import BusinessError
from yingxiao.reports import kpis
from yingxiao.reports.periods import parse_period
from yingxiao.reports.scope import resolve_department

from .conftest import PERIOD, fresh

pytestmark = pytest.mark.django_db
PERSONAS = ("director", "head", "rep", "teammate", "other_rep", "finance", "admin", "resource_director")


@pytest.mark.parametrize("persona", PERSONAS)
def test_kpi_total_equals_the_sum_of_its_drill_down_for_every_persona(world, persona) -> None:
    viewer = fresh(getattr(world, persona))
    period = parse_period(PERIOD)
    for kpi in kpis.KPIS:
        figure = kpi.figure(viewer, period, None)
        rows = kpis.rows(viewer, kpi, period, None)
        assert figure.total == len(rows), kpi.code
        assert figure.hits == sum(1 for row in rows if row.hit), kpi.code
        for segment in figure.segments:
            segment_rows = kpis.rows(viewer, kpi, period, None, segment.key)
            assert segment.total == len(segment_rows), (kpi.code, segment.key)
            assert segment.hits == sum(1 for row in segment_rows if row.hit), (kpi.code, segment.key)
        if figure.segments:
            assert sum(s.total for s in figure.segments) == figure.total, kpi.code


@pytest.mark.parametrize("persona", ["director", "head"])
def test_kpi_department_filter_equals_its_drill_down(world, persona) -> None:
    viewer = fresh(getattr(world, persona))
    period = parse_period(PERIOD)
    department = resolve_department(viewer, world.domestic.pk)
    for kpi in kpis.KPIS:
        figure = kpi.figure(viewer, period, department)
        rows = kpis.rows(viewer, kpi, period, department)
        assert figure.total == len(rows), kpi.code
        assert figure.hits == sum(1 for row in rows if row.hit), kpi.code


def _figures(viewer, department=None) -> dict[str, kpis.Figure]:
    return {f.code: f for f in kpis.figures(fresh(viewer), parse_period(PERIOD), department)}


def test_org_5_director_head_and_rep_see_their_own_scope_only(world) -> None:
    director, head, rep = _figures(world.director), _figures(world.head), _figures(world.rep)
    # 成交率: 6 new customers in October (3 deals); the head's 国内部 has 4 (2 deals); the rep's own 2 (1).
    assert (director["conversion"].hits, director["conversion"].total) == (3, 6)
    assert (head["conversion"].hits, head["conversion"].total) == (2, 4)
    assert (rep["conversion"].hits, rep["conversion"].total) == (1, 2)
    assert rep["conversion"].value == 50
    # 新客户增长率: 6 against 2 a year earlier → +200 %; the head 4 against 1 → +300 %.
    assert director["new_customer_growth"].value == 200
    assert head["new_customer_growth"].value == 300
    # 投诉处理及时率: the head's department closed 1 of 2 in time; the director sees the open one too.
    assert (head["complaint_punctuality"].hits, head["complaint_punctuality"].total) == (1, 2)
    assert (director["complaint_punctuality"].hits, director["complaint_punctuality"].total) == (1, 3)
    # 留电率: connected calls only (the unanswered one is not counted).
    assert (rep["contact_capture"].hits, rep["contact_capture"].total) == (1, 2)
    assert (director["contact_capture"].hits, director["contact_capture"].total) == (2, 3)
    # Violations this month: rejected ones are not counted; the rep sees their own.
    assert director["violations"].total == 2
    assert rep["violations"].total == 1
    assert rep["violations"].amount == 200
    # Nothing of 国际部 reaches the head's ranking.
    assert {s.key for s in head["ranking"].segments} == {str(world.rep.pk), str(world.teammate.pk), "none"}


def test_org_5_return_visit_punctuality_counts_only_the_viewers_customers(world) -> None:
    director, head, rep = _figures(world.director), _figures(world.head), _figures(world.rep)
    assert director["return_visit_punctuality"].total > head["return_visit_punctuality"].total > 0
    assert head["return_visit_punctuality"].total == rep["return_visit_punctuality"].total
    assert rep["return_visit_punctuality"].hits >= 1


def test_kpis_provided_by_other_apps_are_available_and_empty_without_their_data(world) -> None:
    figures = _figures(world.director)
    for code in ("collection_rate", "bad_debt_ratio"):  # sales provides them: no contracts, no figure
        assert figures[code].available is True and figures[code].value is None
    # plan_achievement: no published targets in this world, so nothing to count.
    assert figures["plan_achievement"].available is True and figures["plan_achievement"].total == 0
    # loyalty: sales provides it; no contract was signed in this world, so no buyer to count.
    assert figures["loyalty"].available is True and figures["loyalty"].total == 0
    assert figures["loyalty"].value is None
    assert kpis.rows(fresh(world.director), kpis.KPIS_BY_CODE["loyalty"], parse_period(PERIOD), None) == []


def test_a_provider_once_present_feeds_figure_and_drill_down(world, monkeypatch) -> None:
    row = kpis.Row(pk=1, label="合同 HT-001", hit=True)
    calls = []

    def provider(viewer, period, department):
        calls.append((viewer.pk, period.label, department))
        return 50, [row, {"pk": 2, "label": "合同 HT-002", "hit": False}]

    monkeypatch.setattr(kpis, "import_string", lambda path: provider)
    figure = kpis.KPIS_BY_CODE["collection_rate"].figure(fresh(world.director), parse_period(PERIOD), None)
    assert (figure.available, figure.value, figure.hits, figure.total) == (True, 50, 1, 2)
    assert calls == [(world.director.pk, PERIOD, None)]


@pytest.mark.parametrize(
    ("persona", "department"), [("head", "international"), ("rep", "domestic"), ("other_rep", "international")]
)
def test_org_5_department_filter_outside_the_scope_is_refused(world, persona, department) -> None:
    with pytest.raises(BusinessError) as refused:
        resolve_department(fresh(getattr(world, persona)), getattr(world, department).pk)
    assert refused.value.code == "reports.department_out_of_scope"
    assert refused.value.status == 404


def test_unknown_or_malformed_department_is_refused_like_out_of_scope(world) -> None:
    for value in ("abc", "999999"):
        with pytest.raises(BusinessError) as refused:
            resolve_department(fresh(world.director), value)
        assert refused.value.code == "reports.department_out_of_scope"


@pytest.mark.parametrize("text", ["2026-13", "26-1", "2026-Q5", "2026-W60", "x"])
def test_bad_periods_are_refused(text) -> None:
    with pytest.raises(BusinessError) as refused:
        parse_period(text)
    assert refused.value.code == "reports.bad_period"


def test_periods_parse_month_quarter_year_and_week() -> None:
    import datetime as dt

    assert parse_period("2026-10").start == dt.date(2026, 10, 1)
    assert parse_period("2026-Q4").end == dt.date(2027, 1, 1)
    assert parse_period("2026").end == dt.date(2027, 1, 1)
    week = parse_period("2026-W44")
    assert (week.start.weekday(), (week.end - week.start).days) == (0, 7)


def test_tel_4_contact_capture_reads_the_agents_day_rows_kept_by_the_call_service(personas) -> None:
    """留电率 from ``AgentDay``: calls logged through the service (TEL-2) — in both departments, at a local
    day's edges — give the same figure as counting the calls, and it equals its drill-down (ORG-5)."""
    import datetime as dt

    from tests.telesales.conftest import grant_telesales_permissions, log, make_list
    from yingxiao.telesales.models import AgentDay

    from .conftest import SH

    grant_telesales_permissions()
    p = personas
    outcomes = ("intent_a", "not_interested", "no_answer", "deal", "appointment", "busy")
    text = "姓名,电话\n" + "".join(f"客户{n},1380000{n:04d}\n" for n in range(8))  # one number per call
    lists = {}
    for agent, name in ((p.rep, "国内名单"), (p.other_rep, "国际名单")):
        entries = lists[agent.pk] = list(make_list(agent, text, name=name).entries.order_by("row_number"))
        for n, outcome in enumerate(outcomes):
            # 00:00 and 23:59 local on the month's first and last days: inside October, not outside it.
            when = dt.datetime(2026, 10, 1 if n % 2 else 31, 0 if n % 2 else 23, 59 if n % 2 == 0 else 0, tzinfo=SH)
            log(agent, entries[n], outcome=outcome, started_at=when)
    november = dt.datetime(2026, 11, 1, 0, 0, tzinfo=SH)
    log(p.rep, lists[p.rep.pk][7], outcome="intent_b", started_at=november)  # not October's
    assert AgentDay.objects.exists()
    period = parse_period(PERIOD)
    kpi = kpis.KPIS_BY_CODE["contact_capture"]
    for persona, expected in (("director", (6, 8)), ("head", (3, 4)), ("rep", (3, 4)), ("other_rep", (3, 4))):
        viewer = fresh(getattr(p, persona))
        figure = kpi.figure(viewer, period, None)
        rows = kpis.rows(viewer, kpi, period, None)
        assert (figure.hits, figure.total) == expected, persona
        assert (figure.hits, figure.total) == (sum(1 for r in rows if r.hit), len(rows)), persona
        calls = kpis._connected_calls(viewer, period, None)
        assert (calls.filter(kpis._captured()).count(), calls.count()) == expected, persona
