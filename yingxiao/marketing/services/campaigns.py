"""Campaigns (市场活动, MKT-1, MKT-5): plan → preparation → execution → summary.

- Plan: theme, audience, content, time, place and budget; dates in order, budget ≥ 0.
- Preparation: tasks (owner, due date), materials and invitations of customers. An invitation
  goes through the customers app's ``invitation_create`` (CUS-8): a customer another department
  has already confirmed for the same event is refused with that department's name; an open
  invitation by another department is accepted but flagged for the coordinator.
- Execution needs every preparation task done; attendance and photos/videos (MKT-5) are recorded.
- Summary needs participants, feedback, exposure and the actual spend. Leads (customers created
  at or linked to the campaign) carry the sales attributable to it; ROI = sales / spend.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.guards import require_permission
from yingxiao.customers.models import Customer, Invitation
from yingxiao.customers.relations.common import customer_for
from yingxiao.customers.relations.errors import INVITATION_DUPLICATE
from yingxiao.customers.relations.invitations import event_key, invitation_create
from yingxiao.org.models import User

from .. import errors
from ..models import (
    Campaign,
    CampaignEvent,
    CampaignInvitation,
    CampaignLead,
    CampaignMaterial,
    CampaignMedia,
    CampaignTask,
)
from .common import count, date_range, department_of, in_scope, media_kind, money, refuse_media, text, versioned

Status = Campaign.Status
CHANGE = "marketing.change_campaign"
CENT = Decimal("0.01")


# rule: MKT-1 — every plan field required, dates in order, budget ≥ 0.
def _plan_fields(data: dict[str, Any]) -> dict[str, Any]:
    """rule: MKT-1 — the plan: theme, audience, content, time, place, budget; all required, dates in order."""
    fields = {
        "theme": text(data.get("theme"), field="theme", max_length=200),
        "audience": text(data.get("audience"), field="audience", max_length=500),
        "content": text(data.get("content"), field="content", max_length=4000),
        "place": text(data.get("place"), field="place", max_length=200),
        "starts_on": data.get("starts_on"),
        "ends_on": data.get("ends_on"),
        "budget": money(data.get("budget"), field="budget"),
    }
    date_range(fields["starts_on"], fields["ends_on"])
    return fields


def _event(campaign: Campaign, actor: User, message: Any = "", from_status: str = "", to_status: str = "") -> None:
    CampaignEvent.objects.create(
        campaign=campaign, actor=actor, message=str(message)[:500], from_status=from_status, to_status=to_status
    )


def _open(actor: User, campaign: Campaign | int, *stages: str) -> Campaign:
    """The campaign locked for change within the actor's scope; refused unless in one of ``stages``."""
    require_permission(actor, CHANGE)
    found = in_scope(Campaign, actor, campaign, "change", lock=True)
    if stages and found.status not in stages:
        labels = "、".join(str(Status(s).label) for s in stages)
        raise BusinessError(errors.WRONG_STAGE, stages=labels, status=found.get_status_display())
    return found


def campaign_create(*, actor: User, **data: Any) -> Campaign:
    """rule: MKT-1 — a campaign starts as a plan of the actor's department."""
    require_permission(actor, "marketing.add_campaign")
    fields = _plan_fields(data)
    department = department_of(actor)
    with transaction.atomic():
        campaign = Campaign(owner=actor, department=department, **fields)
        versioned(campaign, actor, _("Campaign planned"))
        campaign.save()
        _event(campaign, actor, _("Campaign planned"), to_status=Status.PLAN)
    return campaign


def campaign_update(*, actor: User, campaign: Campaign | int, **data: Any) -> Campaign:
    """The plan can be revised until execution starts; afterwards it is what happened."""
    with transaction.atomic():
        found = _open(actor, campaign, Status.PLAN, Status.PREPARATION)
        current = {name: getattr(found, name) for name in ("theme", "audience", "content", "place", "starts_on")}
        current.update(ends_on=found.ends_on, budget=found.budget)
        current.update({k: v for k, v in data.items() if k in current})
        for name, value in _plan_fields(current).items():
            setattr(found, name, value)
        versioned(found, actor, _("Plan revised"))
        found.save()
        _event(found, actor, _("Plan revised"))
    return found


def _move(actor: User, campaign: Campaign | int, target: str, message: Any = "") -> Campaign:
    """rule: MKT-1 — only the moves of ``Campaign.TRANSITIONS``; each one writes an event."""
    require_permission(actor, CHANGE)
    found = in_scope(Campaign, actor, campaign, "change", lock=True)
    if not found.can_move_to(target):
        raise BusinessError(errors.BAD_TRANSITION, status=found.get_status_display(), target=Status(target).label)
    before = found.status
    found.status = target
    versioned(found, actor, message or Status(target).label)
    found.save()
    _event(found, actor, message, from_status=before, to_status=target)
    return found


def campaign_prepare(*, actor: User, campaign: Campaign | int) -> Campaign:
    """rule: MKT-1 — the plan is approved for preparation."""
    with transaction.atomic():
        return _move(actor, campaign, Status.PREPARATION)


def campaign_execute(*, actor: User, campaign: Campaign | int) -> Campaign:
    """rule: MKT-1 — execution starts once every preparation task is done."""
    with transaction.atomic():
        found = in_scope(Campaign, actor, campaign, "change", lock=True) if actor.has_perm(CHANGE) else None
        if found is not None and found.status == Status.PREPARATION:
            open_tasks = found.tasks.filter(done_at__isnull=True).count()
            if open_tasks:
                raise BusinessError(errors.TASKS_OPEN, count=open_tasks)
        return _move(actor, campaign, Status.EXECUTION)


def campaign_cancel(*, actor: User, campaign: Campaign | int, reason: str) -> Campaign:
    """A campaign is cancelled, never deleted; the reason is kept."""
    reason = text(reason, field="reason", max_length=500)
    with transaction.atomic():
        return _move(actor, campaign, Status.CANCELLED, reason)


def campaign_summarise(
    *,
    actor: User,
    campaign: Campaign | int,
    participants: Any,
    feedback: str,
    exposure: Any,
    spend: Any,
) -> Campaign:
    """rule: MKT-1 — the summary (participants, feedback, exposure, spend) closes an executed campaign."""
    participants_n = count(participants, field="participants")
    exposure_n = count(exposure, field="exposure")
    feedback = text(feedback, field="feedback", max_length=4000)
    spent = money(spend, field="spend")
    with transaction.atomic():
        found = in_scope(Campaign, actor, campaign, "change", lock=True) if actor.has_perm(CHANGE) else None
        if found is not None and found.can_move_to(Status.SUMMARY):
            found.participants, found.exposure, found.feedback, found.spend = (
                participants_n,
                exposure_n,
                feedback,
                spent,
            )
            found.summarised_at = timezone.now()
            found.save(update_fields=["participants", "exposure", "feedback", "spend", "summarised_at"])
        return _move(actor, campaign, Status.SUMMARY)


# --- preparation ---------------------------------------------------------------------------------


def task_add(*, actor: User, campaign: Campaign | int, title: str, owner: User | None, due_on: dt.date) -> CampaignTask:
    """A preparation task with an owner and a due date (within plan or preparation)."""
    title = text(title, field="title", max_length=200)
    if owner is None or not owner.is_active:
        raise BusinessError(errors.BAD_OWNER, field="owner")
    if not isinstance(due_on, dt.date):
        raise BusinessError(errors.TEXT_REQUIRED, field="due_on")
    with transaction.atomic():
        found = _open(actor, campaign, Status.PLAN, Status.PREPARATION)
        task = CampaignTask(campaign=found, title=title, owner=owner, due_on=due_on)
        versioned(task, actor, _("Task added"))
        task.save()
        _event(found, actor, _("Task added: %(title)s") % {"title": title})
    return task


def task_done(*, actor: User, task: CampaignTask | int) -> CampaignTask:
    """The task owner or anyone who may change the campaign marks it done."""
    pk = task if isinstance(task, int) else task.pk
    with transaction.atomic():
        found = CampaignTask.objects.select_related("campaign").filter(pk=pk).first()
        if found is None:
            raise BusinessError(NOT_FOUND)
        _open(actor, found.campaign_id, Status.PLAN, Status.PREPARATION)
        if found.done_at is None:
            found.done_at = timezone.now()
            versioned(found, actor, _("Task done"))
            found.save(update_fields=["done_at"])
    return found


def material_add(
    *, actor: User, campaign: Campaign | int, name: str, quantity: int = 1, note: str = ""
) -> CampaignMaterial:
    name = text(name, field="name", max_length=200)
    note = text(note, field="note", max_length=500, required=False)
    try:
        quantity = int(quantity)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.BAD_AMOUNT, field="quantity") from exc
    if quantity < 1:
        raise BusinessError(errors.BAD_AMOUNT, field="quantity")
    with transaction.atomic():
        found = _open(actor, campaign, Status.PLAN, Status.PREPARATION)
        material = CampaignMaterial(campaign=found, name=name, quantity=quantity, note=note)
        versioned(material, actor, _("Material added"))
        material.save()
    return material


def _own_invitation(campaign: Campaign, customer: Customer, actor: User) -> Invitation | None:
    """The actor's department's open invitation of the customer to the campaign's event, not yet linked."""
    department = department_of(actor)
    return (
        Invitation.objects.filter(
            customer=customer,
            event_key=event_key(campaign.theme),
            event_date=campaign.starts_on,
            department=department,
            status__in=Invitation.ACTIVE,
            campaign_link__isnull=True,
        )
        .order_by("pk")
        .first()
    )


# rule: CUS-8 — invitations reuse the customers app check (refused when taken, flagged when open).
def campaign_invite(
    *, actor: User, campaign: Campaign | int, customer: Customer | int, confirmed: bool = False, note: str = ""
) -> CampaignInvitation:
    """rule: CUS-8 — invite a customer through the customers app's invitation check.

    Another department's confirmed invitation of the customer for this event (the campaign's
    theme on its first day) refuses the invitation with that department's name; another
    department's open invitation is accepted and flagged as a conflict for the coordinator.
    """
    with transaction.atomic():
        found = _open(actor, campaign, Status.PREPARATION)
        person = customer_for(actor, customer, "view")
        if CampaignInvitation.objects.filter(campaign=found, customer=person).exists():
            raise BusinessError(errors.ALREADY_INVITED, customer=person.name)
        try:
            with transaction.atomic():
                invitation = invitation_create(
                    actor=actor,
                    customer=person,
                    event_name=found.theme,
                    event_date=found.starts_on,
                    confirmed=confirmed,
                    note=note,
                )
        except BusinessError as error:
            # The own department already invited the customer to this event (e.g. a rep did):
            # the campaign takes that invitation over instead of refusing it.
            own = _own_invitation(found, person, actor) if error.error is INVITATION_DUPLICATE else None
            if own is None:
                raise
            invitation = own
        conflict = (
            Invitation.objects.filter(
                customer=person,
                event_key=event_key(found.theme),
                event_date=found.starts_on,
                status__in=Invitation.ACTIVE,
            )
            .exclude(department_id=invitation.department_id)
            .exists()
        )
        link = CampaignInvitation(campaign=found, customer=person, invitation=invitation, conflict=conflict)
        versioned(link, actor, _("Customer invited"))
        link.save()
        _event(found, actor, _("Invited %(customer)s") % {"customer": person.name})
    return link


# --- execution -----------------------------------------------------------------------------------


def attendance_record(
    *, actor: User, campaign: Campaign | int, customer: Customer | int, attended: bool
) -> CampaignInvitation:
    """Whether an invited customer came (execution only)."""
    customer_id = customer if isinstance(customer, int) else customer.pk
    with transaction.atomic():
        found = _open(actor, campaign, Status.EXECUTION)
        link = CampaignInvitation.objects.filter(campaign=found, customer_id=customer_id).first()
        if link is None:
            raise BusinessError(errors.NOT_INVITED, field="customer")
        link.attended = bool(attended)
        versioned(link, actor, _("Attendance recorded"))
        link.save(update_fields=["attended"])
    return link


# rule: MKT-5 — photos and videos archived with the campaign.
def media_upload(
    *, actor: User, campaign: Campaign | int, file: UploadedFile | None, caption: str = ""
) -> CampaignMedia:
    """rule: MKT-5 — photos and videos of the event are archived with the campaign."""
    if file is None:
        raise BusinessError(errors.MEDIA_REQUIRED, field="file")
    kind = media_kind(file.name or "")
    if kind is None:
        raise refuse_media(file.name or "")
    caption = text(caption, field="caption", max_length=200, required=False)
    with transaction.atomic():
        found = _open(actor, campaign, Status.EXECUTION, Status.SUMMARY)
        media = CampaignMedia(campaign=found, kind=kind, file=file, caption=caption, uploaded_by=actor)
        versioned(media, actor, _("Media archived"))
        media.save()
    return media


# --- leads, sales, ROI ---------------------------------------------------------------------------


def lead_record(
    *, actor: User, campaign: Campaign | int, customer: Customer | int, kind: str, sales_amount: Any = 0
) -> CampaignLead:
    """A customer created at the campaign or linked to it; the sales it brought (execution or summary)."""
    if kind not in CampaignLead.Kind.values:
        raise BusinessError(errors.TEXT_REQUIRED, field="kind")
    amount = money(sales_amount, field="sales_amount")
    with transaction.atomic():
        found = _open(actor, campaign, Status.EXECUTION, Status.SUMMARY)
        person = customer_for(actor, customer, "view")
        lead = CampaignLead(campaign=found, customer=person, kind=kind, sales_amount=amount, recorded_by=actor)
        versioned(lead, actor, _("Lead recorded"))
        try:
            with transaction.atomic():
                lead.save()
        except IntegrityError as exc:
            raise BusinessError(errors.ALREADY_LEAD, customer=person.name) from exc
    return lead


def lead_sales_update(*, actor: User, lead: CampaignLead | int, sales_amount: Any) -> CampaignLead:
    """The sales attributable to a lead, as they come in after the campaign."""
    amount = money(sales_amount, field="sales_amount")
    pk = lead if isinstance(lead, int) else lead.pk
    with transaction.atomic():
        campaign_id = CampaignLead.objects.filter(pk=pk).values_list("campaign_id", flat=True).first()
        if campaign_id is None:
            raise BusinessError(NOT_FOUND)
        _open(actor, campaign_id, Status.EXECUTION, Status.SUMMARY)
        found = CampaignLead.objects.get(pk=pk)
        found.sales_amount = amount
        versioned(found, actor, _("Attributable sales updated"))
        found.save(update_fields=["sales_amount"])
    return found


def attributable_sales(campaign: Campaign) -> Decimal:
    total = CampaignLead.objects.filter(campaign=campaign).aggregate(total=Sum("sales_amount"))["total"]
    return Decimal(total or 0).quantize(CENT)  # SQLite sums lose the scale


# rule: MKT-1 — ROI of the summary: attributable sales / spend (Decimal).
def roi(sales: Decimal, spend: Decimal | None) -> Decimal | None:
    """rule: MKT-1 — campaign ROI = attributable sales / spend, to 2 places; none without spend."""
    if spend is None or spend <= 0:
        return None
    return (Decimal(sales) / Decimal(spend)).quantize(Decimal("0.01"))


def campaign_roi(campaign: Campaign) -> Decimal | None:
    return roi(attributable_sales(campaign), campaign.spend)
