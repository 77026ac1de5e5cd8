"""Approvals API under /api/v1/approvals/: inbox, mine, detail with the trail, decide, cancel.

Every employee may use approvals; which requests they see is decided by
``Instance.objects.restrict`` (their own, waiting for them, decided by them, or in their scope).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from . import selectors, services
from .models import Decision, Instance
from .registry import label_of


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    actor_name = serializers.CharField(source="actor", read_only=True, default=None)
    acted_for_name = serializers.CharField(source="acted_for", read_only=True, default=None)
    verified = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "step_order",
            "decision",
            "actor",
            "actor_name",
            "acted_for",
            "acted_for_name",
            "note",
            "decided_at",
            "signature",
            "verified",
        ]
        read_only_fields = fields

    def get_verified(self, obj: Decision) -> bool:
        return obj.verify()


class InstanceSerializer(serializers.ModelSerializer[Instance]):
    request_type_label = serializers.SerializerMethodField()
    requester_name = serializers.CharField(source="requester", read_only=True, default=None)
    current_approver_name = serializers.CharField(source="current_approver", read_only=True, default=None)
    current_step_order = serializers.IntegerField(source="current_step.order", read_only=True, default=None)

    class Meta:
        model = Instance
        fields = [
            "id",
            "request_type",
            "request_type_label",
            "title",
            "requester",
            "requester_name",
            "amount",
            "days",
            "pct",
            "note",
            "status",
            "current_step_order",
            "current_approver",
            "current_approver_name",
            "version",
            "submitted_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_request_type_label(self, obj: Instance) -> str:
        return label_of(obj.request_type)


class InstanceDetailSerializer(InstanceSerializer):
    decisions = serializers.SerializerMethodField()

    class Meta(InstanceSerializer.Meta):
        fields = [*InstanceSerializer.Meta.fields, "decisions"]
        read_only_fields = fields

    @extend_schema(responses=DecisionSerializer(many=True))
    def get_decisions(self, obj: Instance) -> list[dict[str, Any]]:
        return DecisionSerializer(selectors.trail(obj), many=True).data  # type: ignore[return-value]


class DecideSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=[k.value for k in services.DECISIONS])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    version = serializers.IntegerField(required=False, min_value=0)


class CancelSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Approval requests the caller may see; ``inbox`` (待我审批) and ``mine`` (我发起的) narrow them."""

    queryset = Instance.objects.select_related("requester", "current_approver", "current_step")
    serializer_class = InstanceSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "request_type"]
    ordering_fields = ["submitted_at"]

    def get_queryset(self) -> Any:
        return self.queryset.restrict(self.request.user)

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return InstanceDetailSerializer
        return InstanceSerializer

    def _listing(self, queryset: Any) -> Response:
        queryset = self.filter_queryset(queryset)
        page = self.paginate_queryset(queryset)
        serializer = InstanceSerializer(page if page is not None else queryset, many=True)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)

    @action(detail=False)
    def inbox(self, request: Request) -> Response:
        """待我审批: waiting for me, including as a delegate of someone away."""
        return self._listing(selectors.pending_for(request.user))  # type: ignore[arg-type]

    @action(detail=False)
    def mine(self, request: Request) -> Response:
        """我发起的: my own requests."""
        return self._listing(selectors.requested_by(request.user))  # type: ignore[arg-type]

    @extend_schema(request=DecideSerializer, responses=InstanceDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Approve, reject or return (a reason is required for reject and return)."""
        instance = self.get_object()
        params = DecideSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        instance = services.approval_decide(actor=request.user, instance=instance, **params.validated_data)  # type: ignore[arg-type]
        return Response(InstanceDetailSerializer(instance).data)

    @extend_schema(request=CancelSerializer, responses=InstanceDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """The requester withdraws an open request."""
        instance = self.get_object()
        params = CancelSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        instance = services.approval_cancel(actor=request.user, instance=instance, **params.validated_data)  # type: ignore[arg-type]
        return Response(InstanceDetailSerializer(instance).data)


def register(router: BaseRouter) -> None:
    router.register("approvals", ApprovalViewSet, basename="approval")
