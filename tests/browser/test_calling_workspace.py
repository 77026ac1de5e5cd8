"""Browser: a telesales agent works through five calls in the calling workspace (TEL-2) — the next
number with its script, one-click outcomes with duration and notes — and the calls are logged."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login
from tests.personas import build_personas
from tests.telesales.conftest import grant_telesales_permissions, make_list
from yingxiao.telesales.models import CallEntry, CallLog

pytestmark = pytest.mark.django_db(transaction=True)

FIVE = (
    "姓名,电话,公司,备注\n"
    "王先生,13800000001,甲公司,老客户介绍\n"
    "李女士,13800000002,乙公司,\n"
    "赵先生,13800000003,,\n"
    "钱女士,13800000004,丙公司,展会名片\n"
    "孙先生,13800000005,,\n"
)
OUTCOMES = ("no_answer", "busy", "not_interested", "intent_a", "appointment")


def test_tel_2_agent_works_through_five_calls_in_the_workspace(page):
    people = build_personas()
    grant_telesales_permissions()
    call_list = make_list(people.rep, FIVE, name="十一月名单")

    login(page, "rep")
    page.goto("/telesales/workspace/")
    seen = []
    for number, outcome in enumerate(OUTCOMES, start=1):
        card = page.get_by_test_id("next-number")
        phone = card.locator(".fs-4").inner_text().strip()
        assert phone not in seen  # every click moves on to the next number
        seen.append(phone)
        assert "您好，我是营销中心" in card.inner_text()  # the script notes are beside the number
        form = page.get_by_test_id("call-form")
        form.locator("#id_duration_seconds").fill(str(30 * number))
        form.locator("#id_notes").fill(f"第{number}通")
        form.get_by_test_id(f"outcome-{outcome}").click()
        page.wait_for_load_state()
    page.get_by_test_id("no-next").wait_for()

    calls = CallLog.objects.filter(agent=people.rep, entry__call_list=call_list).order_by("pk")
    assert [c.outcome for c in calls] == list(OUTCOMES)
    assert [c.duration_seconds for c in calls] == [30, 60, 90, 120, 150]
    assert sorted(seen) == [f"1380000000{i}" for i in range(1, 6)]
    # Not reached: tried again later; reached: done.
    retry = CallEntry.objects.filter(call_list=call_list, last_outcome__in=["no_answer", "busy"])
    assert all(entry.next_follow_up_at is not None and entry.status in CallEntry.OPEN_STATUSES for entry in retry)
    assert CallEntry.objects.filter(call_list=call_list, status=CallEntry.Status.CLOSED).count() == 3
