"""PRF-3 pay statements (base + performance + commission − fines + rewards), DIS-3 reconciliation with
the ledger to the cent, the open-month refusal, PRF-5 confirmation by the employee, scope (ORG-5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from yingxiao.core.errors import BusinessError
from yingxiao.performance import evaluations, pay
from yingxiao.performance.models import EvaluationItem, PayLine, PayMonth, PayStatement
from yingxiao.performance.pay_exports import statements_sheets
from yingxiao.performance.selectors import ledger_by_person
from yingxiao.performance.services import reward_record, violation_record

from .conftest import approve

pytestmark = pytest.mark.django_db

MAY = dt.date(2025, 5, 1)


def travel(month, day, hour=10):
    return time_machine.travel(dt.datetime(2025, month, day, hour, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def may(personas, hr):
    """May 2025: rep has a profile, a 良好 evaluation, two approved fines, one rejected, a reward."""
    pay.pay_profile_set(actor=hr, person=personas.rep, base_pay="5000", performance_pay="1000.00")
    pay.pay_profile_set(actor=hr, person=personas.head, base_pay="8000", performance_pay="2000")
    pay.pay_profile_set(actor=hr, person=personas.teammate, base_pay="4000", performance_pay="800")
    with travel(5, 12):
        first = violation_record(
            actor_or_system=None, person=personas.rep, rule_id="HR-6", evidence="晨会迟到", amount="20.10"
        )
        approve(personas, first)
        second = violation_record(
            actor_or_system=None, person=personas.rep, rule_id="HR-7", evidence="日报迟交", amount="50"
        )
        approve(personas, second)
        rejected = violation_record(
            actor_or_system=None, person=personas.rep, rule_id="HR-7", evidence="误报", amount="50"
        )
        approve(personas, rejected, decision="reject")
        reward = reward_record(actor=personas.head, person=personas.rep, kind="excellent_employee", reason="五月之星")
        approve(personas, reward)
    with travel(6, 2):
        evaluation = evaluations.evaluation_prepare(actor=personas.head, person=personas.rep, month=MAY)
        manual = {i.code: "85" for i in evaluation.items.all() if i.source == EvaluationItem.Source.SUPERIOR}
        evaluations.evaluation_score(actor=personas.head, evaluation=evaluation, scores=manual)
        evaluations.evaluation_finalise(actor=personas.head, evaluation=evaluation)
    return {"fines": [first, second], "reward": reward, "evaluation": evaluation}


def close_and_issue(hr):
    with travel(6, 3):
        pay.pay_month_close(actor=hr, month=MAY)
        pay.pay_statements_issue(actor=hr, month=MAY)


def test_prf_3_statement_is_base_plus_performance_plus_commission_minus_fines_plus_rewards(personas, hr, may):
    close_and_issue(hr)
    statement = PayStatement.objects.get(person=personas.rep, month=MAY)
    # 5000 + 1000 × 90 % (良好) + 0 − (20.10 + 50.00) + 100.00
    assert (statement.base, statement.performance, statement.commission) == (
        Decimal("5000.00"),
        Decimal("900.00"),
        Decimal("0.00"),
    )
    assert (statement.fines, statement.rewards) == (Decimal("70.10"), Decimal("100.00"))
    assert statement.total == Decimal("5929.90")
    assert statement.grade == "good"
    assert sum(line.amount for line in statement.lines.all()) == statement.total


def test_dis_3_statement_reconciles_with_the_ledger_to_the_cent(personas, hr, may):
    close_and_issue(hr)
    ledger = {row.key: row for row in ledger_by_person(personas.director, MAY)}
    for statement in PayStatement.objects.filter(month=MAY):
        row = ledger.get(statement.person_id)
        fines = row.fines if row else Decimal("0.00")
        rewards = row.rewards if row else Decimal("0.00")
        assert (statement.fines, statement.rewards) == (fines, rewards)
    # The head's supervisor share (乐捐加倍, 2×) is on the head's statement too.
    head = PayStatement.objects.get(person=personas.head, month=MAY)
    assert head.fines == Decimal("140.20")
    assert head.total == Decimal("8000.00") - Decimal("140.20")  # no evaluation: no performance pay


def test_prf_3_every_line_traces_to_its_records(personas, hr, may):
    close_and_issue(hr)
    statement = PayStatement.objects.get(person=personas.rep, month=MAY)
    fines = statement.lines.filter(kind=PayLine.Kind.FINE)
    assert sorted(line.source_ids[0] for line in fines) == sorted(v.pk for v in may["fines"])
    assert all(line.source_model == "performance.Violation" for line in fines)
    assert [v.amount for line in fines for v in pay.line_sources(line)] == [-line.amount for line in fines]
    performance = statement.lines.get(kind=PayLine.Kind.PERFORMANCE)
    assert pay.line_sources(performance) == [may["evaluation"]]
    reward = statement.lines.get(kind=PayLine.Kind.REWARD)
    assert pay.line_sources(reward) == [may["reward"]]


def test_prf_3_statement_for_an_open_month_is_refused(personas, hr, may):
    with travel(6, 3):
        with pytest.raises(BusinessError) as error:
            pay.pay_statements_issue(actor=hr, month=MAY)
        assert error.value.code == "performance.month_open"
        with pytest.raises(BusinessError) as error:
            pay.pay_month_close(actor=hr, month=dt.date(2025, 6, 1))  # not over yet
        assert error.value.code == "performance.month_not_over"
        with pytest.raises(BusinessError) as error:
            pay.pay_month_close(actor=personas.head, month=MAY)
        assert error.value.code == "performance.not_payroll"
    assert not PayStatement.objects.exists()
    assert not PayMonth.objects.filter(status=PayMonth.Status.CLOSED).exists()


def test_prf_3_month_with_draft_evaluations_cannot_close(personas, hr, may):
    with travel(6, 3):
        evaluations.evaluation_prepare(actor=personas.head, person=personas.teammate, month=MAY)
        with pytest.raises(BusinessError) as error:
            pay.pay_month_close(actor=hr, month=MAY)
    assert error.value.code == "performance.month_drafts"


def test_prf_3_commission_comes_from_a_registered_provider(personas, hr, may):
    def commission(month, person_ids):
        if personas.rep.pk in person_ids:
            yield personas.rep.pk, pay.PayLineSpec(PayLine.Kind.COMMISSION, "回款提成", Decimal("123.45"), "x.Y", (1,))

    pay.register_pay_provider("commission_test", commission)
    try:
        close_and_issue(hr)
    finally:
        pay.unregister_pay_provider("commission_test")
    statement = PayStatement.objects.get(person=personas.rep, month=MAY)
    assert statement.commission == Decimal("123.45")
    assert statement.total == Decimal("6053.35")


def test_prf_5_employee_confirms_own_statement_with_a_timestamp(personas, hr, may):
    close_and_issue(hr)
    statement = PayStatement.objects.get(person=personas.rep, month=MAY)
    with pytest.raises(BusinessError) as error:
        pay.pay_statement_confirm(actor=personas.head, statement=statement)
    assert error.value.code == "performance.not_your_statement"
    with travel(6, 5, hour=2):
        confirmed = pay.pay_statement_confirm(actor=personas.rep, statement=statement)
    assert confirmed.status == PayStatement.Status.CONFIRMED
    assert confirmed.confirmed_at == dt.datetime(2025, 6, 5, 2, 0, tzinfo=dt.UTC)
    with pytest.raises(BusinessError) as error:
        pay.pay_statement_confirm(actor=personas.rep, statement=statement)
    assert error.value.code == "performance.already_confirmed"
    # Issuing again leaves a confirmed statement untouched.
    with travel(6, 6):
        pay.pay_statements_issue(actor=hr, month=MAY)
    statement.refresh_from_db()
    assert (statement.status, statement.total) == (PayStatement.Status.CONFIRMED, Decimal("5929.90"))


def test_prf_5_rep_sees_only_own_statement(personas, hr, may, client, api_as):
    close_and_issue(hr)
    own = PayStatement.objects.get(person=personas.rep, month=MAY)
    other = PayStatement.objects.get(person=personas.teammate, month=MAY)
    client.force_login(personas.rep)
    assert client.get(f"/performance/statements/{own.pk}/").status_code == 200
    assert client.get(f"/performance/statements/{other.pk}/").status_code == 404
    assert client.post(f"/performance/statements/{other.pk}/confirm/").status_code == 404
    api = api_as("rep")
    assert api.get(f"/api/v1/performance/statements/{other.pk}/").status_code == 404
    rows = api.get("/api/v1/performance/statements/").json()
    ids = [row["id"] for row in rows.get("results", rows)]
    assert ids == [own.pk]
    # The head sees the department, not 国际部.
    head_ids = {row["person"] for row in api_as("head").get("/api/v1/performance/statements/").json()["results"]}
    assert personas.teammate.pk in head_ids and personas.other_rep.pk not in head_ids


def test_prf_5_confirm_through_the_api(personas, hr, may, api_as):
    close_and_issue(hr)
    own = PayStatement.objects.get(person=personas.rep, month=MAY)
    response = api_as("rep").post(f"/api/v1/performance/statements/{own.pk}/confirm/")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    again = api_as("rep").post(f"/api/v1/performance/statements/{own.pk}/confirm/")
    assert (again.status_code, again.json()["code"]) == (409, "performance.already_confirmed")


def test_prf_3_export_escapes_formulas(personas, hr, may):
    personas.rep.display_name = "=HYPERLINK(1)"
    personas.rep.save()
    close_and_issue(hr)
    sheets = statements_sheets(list(PayStatement.objects.filter(month=MAY).select_related("person")))
    names = [cells[0] for cells in sheets[0].cells()]
    assert "'=HYPERLINK(1)" in names
    assert all(not str(name).startswith("=") for name in names)


def test_prf_3_pages_render(personas, hr, may, client):
    close_and_issue(hr)
    client.force_login(hr)
    assert client.get("/performance/statements/?month=2025-05").status_code == 200
    client.force_login(personas.rep)
    assert client.get("/performance/my/").status_code == 200
    assert client.get("/performance/rankings/").status_code == 200
    client.force_login(personas.head)
    page = client.get("/performance/team/?month=2025-05")
    assert page.status_code == 200 and "张三" in page.content.decode()
    evaluation = may["evaluation"]
    assert client.get(f"/performance/evaluations/{evaluation.pk}/").status_code == 200
    client.force_login(personas.other_rep)
    assert client.get(f"/performance/evaluations/{evaluation.pk}/").status_code == 404


def test_prf_3_issuing_again_refreshes_what_changed_and_keeps_the_history(personas, hr, may):
    close_and_issue(hr)
    statement = PayStatement.objects.get(person=personas.rep, month=MAY)
    untouched = PayStatement.objects.get(person=personas.head, month=MAY)
    untouched_lines = set(untouched.lines.values_list("pk", flat=True))
    first_lines = set(statement.lines.values_list("pk", flat=True))
    pay.pay_profile_set(actor=hr, person=personas.rep, base_pay="5200", performance_pay="1000.00")
    with travel(6, 4):
        written = pay.pay_statements_issue(actor=hr, month=MAY)
    statement.refresh_from_db()
    assert written == PayStatement.objects.filter(month=MAY).count()
    # Same statement, new figures, new lines; the old lines live on in the history as deleted.
    assert (statement.base, statement.total) == (Decimal("5200.00"), Decimal("6129.90"))
    assert statement.fines == Decimal("70.10")
    new_lines = set(statement.lines.values_list("pk", flat=True))
    assert new_lines and not new_lines & first_lines
    deleted = PayLine.history.filter(id__in=first_lines, history_type="-")
    assert set(deleted.values_list("id", flat=True)) == first_lines
    assert PayLine.history.filter(id__in=new_lines, history_type="+").count() == len(new_lines)
    assert list(statement.history.order_by("history_date").values_list("history_type", flat=True)) == ["+", "~"]
    assert statement.history.first().history_user == hr
    # The head's statement did not change: no new version, its lines kept.
    assert untouched.history.count() == 1
    assert set(untouched.lines.values_list("pk", flat=True)) == untouched_lines


def test_prf_3_issuing_again_without_changes_writes_nothing(personas, hr, may):
    close_and_issue(hr)
    versions, line_versions = PayStatement.history.count(), PayLine.history.count()
    lines = sorted(PayLine.objects.values_list("pk", "amount"))
    with travel(6, 4):
        written = pay.pay_statements_issue(actor=hr, month=MAY)
    assert written == PayStatement.objects.filter(month=MAY).count()
    assert (PayStatement.history.count(), PayLine.history.count()) == (versions, line_versions)
    assert sorted(PayLine.objects.values_list("pk", "amount")) == lines


def test_prf_5_issuing_again_leaves_confirmed_statements_untouched(personas, hr, may):
    close_and_issue(hr)
    statement = PayStatement.objects.get(person=personas.rep, month=MAY)
    pay.pay_statement_confirm(actor=personas.rep, statement=statement)
    lines = list(statement.lines.values_list("pk", "amount"))
    with travel(6, 4):
        written = pay.pay_statements_issue(actor=hr, month=MAY)
    statement.refresh_from_db()
    assert statement.status == PayStatement.Status.CONFIRMED
    assert list(statement.lines.values_list("pk", "amount")) == lines
    assert written == PayStatement.objects.filter(month=MAY).exclude(pk=statement.pk).count()


def test_prf_3_statements_page_opens_on_the_last_month(personas, hr, may, client):
    close_and_issue(hr)
    client.force_login(hr)
    with time_machine.travel(dt.datetime(2025, 6, 20, 10, tzinfo=dt.UTC), tick=False):
        page = client.get("/performance/statements/")
    assert page.status_code == 200
    assert page.context["month"] == MAY and page.context["rows"]
