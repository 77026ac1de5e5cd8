"""HR-5 leave: routing by day tiers, handover person, sick-leave certificates, balances, absence."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from yingxiao.approvals.models import Instance
from yingxiao.core.errors import BusinessError
from yingxiao.org.models import User
from yingxiao.org.selectors import superior_of
from yingxiao.workforce import leave as leave_services
from yingxiao.workforce.models import Leave, LeaveEntitlement

from .conftest import approve, at, fresh, waiting_for

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 3, 3)
# working days from Monday 3 March 2025: 3 → Wed 5, 4 → Thu 6, 7 → Tue 11, 8 → Wed 12
END_FOR = {3: dt.date(2025, 3, 5), 4: dt.date(2025, 3, 6), 7: dt.date(2025, 3, 11), 8: dt.date(2025, 3, 12)}


def request(wf, person=None, *, kind="personal", start=MON, end=None, handover="teammate", **extra):
    person = person or wf.rep
    with time_machine.travel(at(dt.date(2025, 3, 1), 10), tick=False):
        return leave_services.leave_request(
            actor=fresh(person),
            kind=kind,
            start_date=start,
            end_date=end or start,
            reason="家中有事",
            handover=getattr(wf, handover) if isinstance(handover, str) else handover,
            **extra,
        )


@pytest.mark.parametrize(
    ("days", "chain"),
    [(3, ["head"]), (4, ["head", "director"]), (7, ["head", "director"]), (8, ["head", "director", "gm"])],
)
def test_hr_5_leave_routed_by_day_tiers(wf, days, chain):
    leave = request(wf, end=END_FOR[days])
    assert leave.days == days
    for name in chain:
        assert waiting_for(leave, "leave") == getattr(wf, name), name
        approve(getattr(wf, name), leave, "leave")
    leave.refresh_from_db()
    assert leave.status == Leave.Status.APPROVED
    assert Instance.objects.get(request_type="leave").status == Instance.Status.APPROVED


def test_hr_5_absent_head_step_goes_up_to_the_director(wf):
    head = fresh(wf.head)
    head.status, head.absent_until = User.Status.ABSENT, dt.date(2025, 3, 31)
    head.save()
    with time_machine.travel(at(dt.date(2025, 3, 1), 10), tick=False):
        leave = request(wf, end=END_FOR[3])
        assert waiting_for(leave, "leave") == wf.director


def test_hr_5_handover_person_is_required(wf):
    with pytest.raises(BusinessError) as error:
        request(wf, handover=None)
    assert error.value.code == "workforce.handover_required"
    with pytest.raises(BusinessError) as error:
        request(wf, handover="rep")
    assert error.value.code == "workforce.bad_handover"
    assert not Leave.objects.exists() and not Instance.objects.exists()


def test_hr_5_sick_leave_without_certificate_is_personal_leave(wf):
    leave = request(wf, kind="sick")
    assert (leave.kind, leave.requested_kind, leave.converted) == ("personal", "sick", True)
    certificate = SimpleUploadedFile("诊断证明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    leave = request(wf, kind="sick", start=MON + dt.timedelta(days=1), certificate=certificate)
    assert (leave.kind, leave.converted) == ("sick", False)
    assert leave.certificate.name


def test_hr_5_overlapping_leave_and_bad_dates_are_refused(wf):
    request(wf, end=END_FOR[3])
    for start, end, code in (
        (MON + dt.timedelta(days=2), END_FOR[8], "workforce.overlap"),
        (END_FOR[8], MON + dt.timedelta(days=7), "workforce.bad_dates"),
        (dt.date(2025, 3, 8), dt.date(2025, 3, 9), "workforce.no_workdays"),
    ):
        with pytest.raises(BusinessError) as error:
            request(wf, start=start, end=end)
        assert error.value.code == code
    assert Leave.objects.count() == 1


def test_hr_5_annual_leave_balance_per_person_and_year(wf):
    LeaveEntitlement.objects.create(person=wf.rep, year=2025, annual_days=5)
    request(wf, kind="annual", end=END_FOR[3])
    assert leave_services.annual_balance(wf.rep, 2025) == {"entitled": 5, "taken": 0, "pending": 3, "remaining": 2}
    with pytest.raises(BusinessError) as error:
        request(wf, kind="annual", start=dt.date(2025, 3, 10), end=dt.date(2025, 3, 12))
    assert error.value.code == "workforce.balance"
    approve(wf.head, Leave.objects.get(), "leave")
    assert leave_services.annual_balance(wf.rep, 2025)["taken"] == 3


def test_hr_5_approved_leave_marks_the_person_absent_for_org_4(wf):
    with time_machine.travel(at(MON, 10), tick=False):
        leave = request(wf, wf.head, start=MON, end=END_FOR[3], handover="rep")
        assert waiting_for(leave, "leave") == wf.director  # the head's own post is skipped
        approve(wf.director, leave, "leave")
        head = fresh(wf.head)
        assert head.status == User.Status.ABSENT and head.absent_until == END_FOR[3]
        assert not head.is_available()
        assert superior_of(fresh(wf.rep)) == wf.director
        assert leave_services.on_leave(head)


def test_hr_5_future_leave_becomes_absence_on_its_first_day(wf):
    leave = request(wf, start=dt.date(2025, 3, 10), end=dt.date(2025, 3, 11))
    with time_machine.travel(at(MON, 10), tick=False):
        approve(wf.head, leave, "leave")
    assert fresh(wf.rep).status == User.Status.ACTIVE
    assert leave_services.leave_sync_absences(dt.date(2025, 3, 10)) == 1
    assert leave_services.leave_sync_absences(dt.date(2025, 3, 10)) == 0
    assert fresh(wf.rep).absent_until == dt.date(2025, 3, 11)


def test_hr_5_leave_page_requests_leave(wf, client):
    client.force_login(wf.rep)
    assert client.get("/workforce/leaves/").status_code == 200
    with time_machine.travel(at(dt.date(2025, 3, 1), 10), tick=False):
        response = client.post(
            "/workforce/leaves/",
            {"kind": "personal", "start_date": "2025-03-03", "end_date": "2025-03-04", "reason": "事假"},
        )
        assert response.status_code == 400 and b'data-testid="field-error"' in response.content
        response = client.post(
            "/workforce/leaves/",
            {
                "kind": "personal",
                "start_date": "2025-03-03",
                "end_date": "2025-03-04",
                "reason": "事假",
                "handover": wf.teammate.pk,
            },
        )
    assert response.status_code == 302
    assert Leave.objects.get().days == 2
