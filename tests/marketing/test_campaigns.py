"""Campaigns (MKT-1, MKT-5) and their invitations under CUS-8."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from yingxiao.core.errors import BusinessError
from yingxiao.customers.models import Invitation
from yingxiao.customers.relations.invitations import invitation_create
from yingxiao.marketing import services
from yingxiao.marketing.models import Campaign, CampaignEvent

from .conftest import PLAN, customer_of, executed_campaign, photo, plan_campaign

pytestmark = pytest.mark.django_db
S = Campaign.Status


def test_mkt_1_campaign_walks_plan_preparation_execution_summary(mk):
    campaign = plan_campaign(mk.mkt)
    assert (campaign.status, campaign.department, campaign.owner) == (S.PLAN, mk.domestic, mk.mkt)
    services.task_add(actor=mk.mkt, campaign=campaign, title="订场地", owner=mk.mkt, due_on=dt.date(2026, 12, 1))
    services.campaign_prepare(actor=mk.mkt, campaign=campaign)
    task = campaign.tasks.get()
    services.task_done(actor=mk.mkt, task=task)
    services.material_add(actor=mk.mkt, campaign=campaign, name="宣传册", quantity=500)
    services.campaign_execute(actor=mk.mkt, campaign=campaign)
    services.campaign_summarise(
        actor=mk.mkt, campaign=campaign, participants=120, feedback="反响良好", exposure=5000, spend="18000"
    )
    campaign.refresh_from_db()
    assert campaign.status == S.SUMMARY
    assert (campaign.participants, campaign.exposure, campaign.spend) == (120, 5000, Decimal("18000.00"))
    moves = list(
        CampaignEvent.objects.filter(campaign=campaign).exclude(to_status="").values_list("to_status", flat=True)
    )
    assert moves == [S.PLAN, S.PREPARATION, S.EXECUTION, S.SUMMARY]
    assert campaign.history.count() >= 4  # audited (simple-history)


def test_mkt_1_cannot_summarise_before_execution(mk):
    campaign = plan_campaign(mk.mkt)
    services.campaign_prepare(actor=mk.mkt, campaign=campaign)
    with pytest.raises(BusinessError) as error:
        services.campaign_summarise(
            actor=mk.mkt, campaign=campaign, participants=1, feedback="x", exposure=1, spend="1"
        )
    assert error.value.code == "marketing.bad_transition"
    campaign.refresh_from_db()
    assert campaign.status == S.PREPARATION and campaign.participants is None  # nothing changed


def test_mkt_1_cannot_skip_preparation_or_reopen(mk):
    campaign = plan_campaign(mk.mkt)
    with pytest.raises(BusinessError) as error:
        services.campaign_execute(actor=mk.mkt, campaign=campaign)
    assert error.value.code == "marketing.bad_transition"
    services.campaign_cancel(actor=mk.mkt, campaign=campaign, reason="场地取消")
    with pytest.raises(BusinessError):
        services.campaign_prepare(actor=mk.mkt, campaign=campaign)
    assert Campaign.objects.get(pk=campaign.pk).status == S.CANCELLED


def test_mkt_1_execution_waits_for_open_tasks(mk):
    campaign = plan_campaign(mk.mkt)
    services.task_add(actor=mk.mkt, campaign=campaign, title="发邀请函", owner=mk.head, due_on=dt.date(2026, 12, 5))
    services.campaign_prepare(actor=mk.mkt, campaign=campaign)
    with pytest.raises(BusinessError) as error:
        services.campaign_execute(actor=mk.mkt, campaign=campaign)
    assert error.value.code == "marketing.tasks_open"
    assert Campaign.objects.get(pk=campaign.pk).status == S.PREPARATION


def test_mkt_1_summary_needs_every_figure(mk):
    campaign = executed_campaign(mk.mkt)
    with pytest.raises(BusinessError) as error:
        services.campaign_summarise(actor=mk.mkt, campaign=campaign, participants=10, feedback="", exposure=1, spend=1)
    assert error.value.field == "feedback"
    with pytest.raises(BusinessError) as error:
        services.campaign_summarise(
            actor=mk.mkt, campaign=campaign, participants=10, feedback="好", exposure=1, spend=-1
        )
    assert error.value.code == "marketing.bad_amount"
    assert Campaign.objects.get(pk=campaign.pk).status == S.EXECUTION


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"ends_on": dt.date(2026, 12, 9)}, "marketing.dates_out_of_order"),
        ({"budget": "-1"}, "marketing.bad_amount"),
        ({"budget": "abc"}, "marketing.bad_amount"),
        ({"theme": "  "}, "marketing.text_required"),
        ({"place": "场" * 201}, "marketing.text_too_long"),
    ],
)
def test_mkt_1_bad_plan_is_refused_and_nothing_is_saved(mk, override, code):
    with pytest.raises(BusinessError) as error:
        services.campaign_create(actor=mk.mkt, **{**PLAN, **override})
    assert error.value.code == code
    assert not Campaign.objects.exists()


def test_mkt_1_plan_revision_keeps_dates_in_order(mk):
    campaign = plan_campaign(mk.mkt)
    with pytest.raises(BusinessError) as error:
        services.campaign_update(actor=mk.mkt, campaign=campaign, starts_on=dt.date(2026, 12, 20))
    assert error.value.code == "marketing.dates_out_of_order"
    services.campaign_update(actor=mk.mkt, campaign=campaign, budget="25000")
    assert Campaign.objects.get(pk=campaign.pk).budget == Decimal("25000.00")


def test_mkt_1_a_rep_without_the_permission_cannot_plan(mk):
    with pytest.raises(PermissionDenied):
        services.campaign_create(actor=mk.rep, **PLAN)


def test_mkt_1_another_departments_specialist_cannot_touch_the_campaign(mk):
    campaign = plan_campaign(mk.mkt)
    with pytest.raises(BusinessError) as error:
        services.campaign_prepare(actor=mk.other_mkt, campaign=campaign)
    assert error.value.code == "core.not_found"
    services.campaign_prepare(actor=mk.head, campaign=campaign)  # 国内部's head may


def test_mkt_1_roi_is_attributable_sales_over_spend(mk):
    campaign = executed_campaign(mk.mkt)
    new = customer_of(mk.mkt, mk.domestic)
    old = customer_of(mk.mkt, mk.domestic)
    services.lead_record(actor=mk.mkt, campaign=campaign, customer=new, kind="created", sales_amount="30000.50")
    lead = services.lead_record(actor=mk.mkt, campaign=campaign, customer=old, kind="linked")
    services.lead_sales_update(actor=mk.mkt, lead=lead, sales_amount="9999.50")
    services.campaign_summarise(
        actor=mk.mkt, campaign=campaign, participants=80, feedback="好", exposure=1, spend="16000"
    )
    campaign.refresh_from_db()
    assert services.attributable_sales(campaign) == Decimal("40000.00")
    assert services.campaign_roi(campaign) == Decimal("2.50")
    assert isinstance(services.campaign_roi(campaign), Decimal)


def test_mkt_1_roi_without_spend_is_undefined_and_rounds_to_cents():
    assert services.roi(Decimal("100"), None) is None
    assert services.roi(Decimal("100"), Decimal("0")) is None
    assert services.roi(Decimal("100"), Decimal("3")) == Decimal("33.33")


def test_mkt_1_a_lead_counts_once_and_sales_are_not_negative(mk):
    campaign = executed_campaign(mk.mkt)
    customer = customer_of(mk.mkt, mk.domestic)
    services.lead_record(actor=mk.mkt, campaign=campaign, customer=customer, kind="created")
    with pytest.raises(BusinessError) as error:
        services.lead_record(actor=mk.mkt, campaign=campaign, customer=customer, kind="linked")
    assert error.value.code == "marketing.already_lead"
    with pytest.raises(BusinessError):
        services.lead_record(
            actor=mk.mkt, campaign=campaign, customer=customer_of(mk.mkt, mk.domestic), kind="linked", sales_amount=-5
        )
    assert campaign.leads.count() == 1


def test_cus_8_campaign_invitation_refused_when_another_department_confirmed(mk):
    customer = customer_of(mk.mkt, mk.domestic, name="上海某贸易有限公司")
    invitation_create(
        actor=mk.director, customer=customer, event_name=PLAN["theme"], event_date=PLAN["starts_on"], confirmed=True
    )
    campaign = plan_campaign(mk.mkt)
    services.campaign_prepare(actor=mk.mkt, campaign=campaign)
    with pytest.raises(BusinessError) as error:
        services.campaign_invite(actor=mk.mkt, campaign=campaign, customer=customer)
    assert error.value.code == "customers.invitation_taken"
    assert "营销中心" in error.value.message  # names the department holding the customer
    assert not campaign.invitations.exists()
    assert Invitation.objects.filter(customer=customer).count() == 1


def test_cus_8_open_invitation_of_another_department_is_flagged(mk):
    customer = customer_of(mk.mkt, mk.domestic)
    invitation_create(actor=mk.director, customer=customer, event_name="新品发布会 ", event_date=PLAN["starts_on"])
    campaign = plan_campaign(mk.mkt)
    services.campaign_prepare(actor=mk.mkt, campaign=campaign)
    link = services.campaign_invite(actor=mk.mkt, campaign=campaign, customer=customer, confirmed=False)
    assert link.conflict is True
    assert link.invitation.department == mk.domestic
    with pytest.raises(BusinessError) as error:
        services.campaign_invite(actor=mk.mkt, campaign=campaign, customer=customer)
    assert error.value.code == "marketing.already_invited"


def test_cus_8_invitations_only_during_preparation_and_attendance_during_execution(mk):
    customer = customer_of(mk.mkt, mk.domestic)
    campaign = plan_campaign(mk.mkt)
    with pytest.raises(BusinessError) as error:
        services.campaign_invite(actor=mk.mkt, campaign=campaign, customer=customer)
    assert error.value.code == "marketing.wrong_stage"
    services.campaign_prepare(actor=mk.mkt, campaign=campaign)
    link = services.campaign_invite(actor=mk.mkt, campaign=campaign, customer=customer, confirmed=True)
    assert link.conflict is False and link.invitation.status == Invitation.Status.CONFIRMED
    services.campaign_execute(actor=mk.mkt, campaign=campaign)
    services.attendance_record(actor=mk.mkt, campaign=campaign, customer=customer, attended=True)
    link.refresh_from_db()
    assert link.attended is True
    with pytest.raises(BusinessError) as error:
        services.attendance_record(
            actor=mk.mkt, campaign=campaign, customer=customer_of(mk.mkt, mk.domestic), attended=True
        )
    assert error.value.code == "marketing.not_invited"


def test_mkt_5_photos_and_videos_are_archived_other_files_refused(mk):
    campaign = plan_campaign(mk.mkt)
    with pytest.raises(BusinessError) as error:
        services.media_upload(actor=mk.mkt, campaign=campaign, file=photo())
    assert error.value.code == "marketing.wrong_stage"
    services.campaign_prepare(actor=mk.mkt, campaign=campaign)
    services.campaign_execute(actor=mk.mkt, campaign=campaign)
    services.media_upload(actor=mk.mkt, campaign=campaign, file=photo(), caption="签到台")
    services.media_upload(actor=mk.mkt, campaign=campaign, file=photo("开场.MP4"))
    with pytest.raises(BusinessError) as error:
        services.media_upload(actor=mk.mkt, campaign=campaign, file=photo("病毒.exe"))
    assert error.value.code == "marketing.bad_media"
    assert sorted(campaign.media.values_list("kind", flat=True)) == ["photo", "video"]


def test_cus_8_own_departments_earlier_invitation_is_taken_over(mk):
    customer = customer_of(mk.rep, mk.domestic)
    earlier = invitation_create(actor=mk.rep, customer=customer, event_name=PLAN["theme"], event_date=PLAN["starts_on"])
    campaign = plan_campaign(mk.head)
    services.campaign_prepare(actor=mk.head, campaign=campaign)
    link = services.campaign_invite(actor=mk.head, campaign=campaign, customer=customer)
    assert link.invitation == earlier and link.conflict is False
    assert Invitation.objects.filter(customer=customer).count() == 1
