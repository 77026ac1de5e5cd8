"""Fines-and-rewards API: /api/v1/performance/violations/, …/rewards/, …/ledger/?month=YYYY-MM.

Rows are scoped by ``restrict`` (a rep their own, a head their department, the director all);
confirming a payment is finance's alone (``violation_mark_paid``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from . import selectors, services
from .models import Reward, Violation


class ViolationSerializer(serializers.ModelSerializer[Violation]):
    person_name = serializers.CharField(source="person", read_only=True)

    class Meta:
        model = Violation
        fields = [
            "id",
            "person",
            "person_name",
            "department",
            "rule_id",
            "kind",
            "origin",
            "evidence",
            "amount",
            "status",
            "approval",
            "recorded_at",
            "approved_at",
            "booked_on",
            "due_on",
            "paid_at",
            "repeat_flagged",
        ]
        read_only_fields = fields


class RewardSerializer(serializers.ModelSerializer[Reward]):
    person_name = serializers.CharField(source="person", read_only=True)

    class Meta:
        model = Reward
        fields = [
            "id",
            "person",
            "person_name",
            "department",
            "kind",
            "amount",
            "reason",
            "status",
            "approval",
            "recorded_at",
            "booked_on",
        ]
        read_only_fields = fields


class LedgerRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    department = serializers.CharField()
    fines = serializers.DecimalField(max_digits=14, decimal_places=2)
    fines_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    fines_outstanding = serializers.DecimalField(max_digits=14, decimal_places=2)
    fine_count = serializers.IntegerField()
    rewards = serializers.DecimalField(max_digits=14, decimal_places=2)
    reward_count = serializers.IntegerField()
    net = serializers.DecimalField(max_digits=14, decimal_places=2)


class LedgerSerializer(serializers.Serializer[Any]):
    month = serializers.CharField()
    by_person = LedgerRowSerializer(many=True)
    by_department = LedgerRowSerializer(many=True)


class ViolationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Fines in the caller's scope; finance confirms payment with ``mark_paid``."""

    queryset = Violation.objects.select_related("person")
    serializer_class = ViolationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["person", "status", "rule_id", "kind", "booked_on"]
    ordering_fields = ["recorded_at", "amount"]

    def get_queryset(self) -> Any:
        return self.queryset.restrict(self.request.user)

    @extend_schema(request=None, responses=ViolationSerializer)
    @action(detail=True, methods=["post"])
    def mark_paid(self, request: Request, pk: str | None = None) -> Response:
        """Finance only: the fine was paid (DIS-1)."""
        violation = services.violation_mark_paid(actor=request.user, violation=self.get_object())  # type: ignore[arg-type]
        return Response(ViolationSerializer(violation).data)


class RewardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rewards in the caller's scope (DIS-2)."""

    queryset = Reward.objects.select_related("person")
    serializer_class = RewardSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["person", "status", "kind", "booked_on"]

    def get_queryset(self) -> Any:
        return self.queryset.restrict(self.request.user)


class LedgerViewSet(viewsets.ViewSet):
    """The monthly ledger (DIS-3) per person and per department, within the caller's scope."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM (default: this month)")],
        responses=LedgerSerializer,
    )
    def list(self, request: Request) -> Response:
        month = selectors.parse_month(request.query_params.get("month"))
        people = selectors.ledger_by_person(request.user, month)  # type: ignore[arg-type]
        departments = selectors.ledger_by_department(request.user, month)  # type: ignore[arg-type]
        data = {
            "month": f"{month:%Y-%m}",
            "by_person": [row.as_dict() for row in people],
            "by_department": [row.as_dict() for row in departments],
        }
        return Response(LedgerSerializer(data).data)


def register(router: BaseRouter) -> None:
    router.register("performance/violations", ViolationViewSet, basename="violation")
    router.register("performance/rewards", RewardViewSet, basename="reward")
    router.register("performance/ledger", LedgerViewSet, basename="ledger")
