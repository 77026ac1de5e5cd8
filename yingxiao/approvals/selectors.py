"""Reads over approvals: the two inboxes (待我审批 / 我发起的) and one request with its trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from yingxiao.core.querysets import get_restricted_or_404

from .models import Decision, Instance

if TYPE_CHECKING:
    from yingxiao.org.models import User

_LIST_RELATED = ("requester", "current_approver", "current_step", "department")


def pending_for(actor: User) -> QuerySet[Instance]:
    """待我审批: requests waiting for the actor, including as a delegate of someone away (ORG-4)."""
    return Instance.objects.pending_for(actor).select_related(*_LIST_RELATED).order_by("submitted_at", "pk")


def requested_by(actor: User) -> QuerySet[Instance]:
    """我发起的: the actor's own requests, newest first."""
    return Instance.objects.filter(requester=actor).select_related(*_LIST_RELATED).order_by("-submitted_at", "-pk")


def get_instance_for(actor: User, pk: object) -> Instance:
    """One request the actor may see, else 404."""
    return get_restricted_or_404(Instance, actor, pk, queryset=Instance.objects.select_related(*_LIST_RELATED))


def trail(instance: Instance) -> list[Decision]:
    """Every signed entry of the request, oldest first."""
    return list(instance.decisions.select_related("actor", "acted_for", "step").order_by("decided_at", "pk"))
