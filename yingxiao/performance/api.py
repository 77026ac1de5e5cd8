"""Fines-and-rewards API: /api/v1/performance/violations/, …/rewards/, …/ledger/?month=YYYY-MM.

Rows are scoped by ``restrict`` (a rep their own, a head their department, the director all);
confirming a payment is finance's alone (``violation_mark_paid``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.org.models import User

from . import evaluations, pay, rankings, selectors, services
from .models import Evaluation, EvaluationItem, PayLine, PayStatement, Reward, Violation


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


# --- evaluations, pay statements, rankings (PRF-1…5) ------------------------------------------
class EvaluationItemSerializer(serializers.ModelSerializer[EvaluationItem]):
    class Meta:
        model = EvaluationItem
        fields = ["code", "label", "weight", "source", "score", "detail", "sources"]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer[Evaluation]):
    person_name = serializers.CharField(source="person", read_only=True)
    items = EvaluationItemSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "person",
            "person_name",
            "month",
            "department",
            "role_code",
            "status",
            "score",
            "grade",
            "fail_streak",
            "review_flagged",
            "comment",
            "finalised_at",
            "items",
        ]
        read_only_fields = fields


class PrepareSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")


class ScoreSerializer(serializers.Serializer[Any]):
    scores = serializers.DictField(child=serializers.CharField(allow_blank=True))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    finalise = serializers.BooleanField(required=False, default=False)


class MonthSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text="YYYY-MM")


class PayLineSerializer(serializers.ModelSerializer[PayLine]):
    class Meta:
        model = PayLine
        fields = ["kind", "provider", "label", "amount", "source_model", "source_ids"]
        read_only_fields = fields


class PayStatementSerializer(serializers.ModelSerializer[PayStatement]):
    person_name = serializers.CharField(source="person", read_only=True)
    lines = PayLineSerializer(many=True, read_only=True)

    class Meta:
        model = PayStatement
        fields = [
            "id",
            "person",
            "person_name",
            "month",
            "department",
            "grade",
            "base",
            "performance",
            "commission",
            "fines",
            "rewards",
            "total",
            "status",
            "issued_at",
            "confirmed_at",
            "lines",
        ]
        read_only_fields = fields


class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly evaluations in the caller's scope; the superior prepares, scores and finalises (PRF-1/2)."""

    queryset = Evaluation.objects.select_related("person").prefetch_related("items")
    serializer_class = EvaluationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["person", "month", "status", "grade", "review_flagged"]

    def get_queryset(self) -> Any:
        return self.queryset.restrict(self.request.user)

    @extend_schema(request=PrepareSerializer, responses=EvaluationSerializer)
    @action(detail=False, methods=["post"])
    def prepare(self, request: Request) -> Response:
        data = PrepareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        month = selectors.parse_month(data.validated_data["month"])
        person = get_object_or_404(User, pk=data.validated_data["person"])
        evaluation = evaluations.evaluation_prepare(actor=request.user, person=person, month=month)  # type: ignore[arg-type]
        return Response(EvaluationSerializer(evaluation).data, status=201)

    @extend_schema(request=ScoreSerializer, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        data = ScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            evaluation = evaluations.evaluation_score(
                actor=request.user,  # type: ignore[arg-type]
                evaluation=evaluation,
                scores=data.validated_data["scores"],
                comment=data.validated_data.get("comment"),
            )
            if data.validated_data.get("finalise"):
                evaluation = evaluations.evaluation_finalise(actor=request.user, evaluation=evaluation)  # type: ignore[arg-type]
        return Response(EvaluationSerializer(self.get_queryset().get(pk=evaluation.pk)).data)


class PayStatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pay statements in the caller's scope (a rep: only their own); HR closes and issues (PRF-3/5)."""

    queryset = PayStatement.objects.select_related("person").prefetch_related("lines")
    serializer_class = PayStatementSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["person", "month", "status", "department"]

    def get_queryset(self) -> Any:
        return self.queryset.restrict(self.request.user)

    @extend_schema(request=None, responses=PayStatementSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """The employee confirms their own statement (PRF-5)."""
        statement = pay.pay_statement_confirm(actor=request.user, statement=self.get_object())  # type: ignore[arg-type]
        return Response(PayStatementSerializer(statement).data)

    @extend_schema(request=MonthSerializer, responses=MonthSerializer)
    @action(detail=False, methods=["post"])
    def close_month(self, request: Request) -> Response:
        data = MonthSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        month = selectors.parse_month(data.validated_data["month"])
        pay.pay_month_close(actor=request.user, month=month)  # type: ignore[arg-type]
        return Response({"month": f"{month:%Y-%m}"})

    @extend_schema(request=MonthSerializer, responses=MonthSerializer)
    @action(detail=False, methods=["post"])
    def issue(self, request: Request) -> Response:
        data = MonthSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        month = selectors.parse_month(data.validated_data["month"])
        pay.pay_statements_issue(actor=request.user, month=month)  # type: ignore[arg-type]
        return Response({"month": f"{month:%Y-%m}"})


class RankRowSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    name = serializers.CharField()
    connected = serializers.IntegerField()
    conversion = serializers.DecimalField(max_digits=5, decimal_places=1)
    capture = serializers.DecimalField(max_digits=5, decimal_places=1)
    conversion_rank = serializers.IntegerField()
    capture_rank = serializers.IntegerField()
    flagged = serializers.BooleanField()


class RankingSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    rows = RankRowSerializer(many=True)


class RankingViewSet(viewsets.ViewSet):
    """PRF-4: the conversion and contact-capture ranking of the period containing ``month``."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM (default: this month)")],
        responses=RankingSerializer,
    )
    def list(self, request: Request) -> Response:
        from yingxiao.org.scope import scope_for
        from yingxiao.policy.values import policy_value

        month = selectors.parse_month(request.query_params.get("month"))
        period = rankings.period_containing(month, int(policy_value("ranking_months")))
        visible: set[int] | None = None
        if not scope_for(request.user).is_all:  # type: ignore[arg-type]
            visible = set(evaluations.people_to_evaluate(request.user).values_list("pk", flat=True))  # type: ignore[arg-type]
            visible.add(request.user.pk)  # type: ignore[arg-type]
        result = rankings.ranking(period, person_ids=visible)
        return Response(RankingSerializer({"period": period.key, "rows": result.rows}).data)


def register(router: BaseRouter) -> None:
    router.register("performance/violations", ViolationViewSet, basename="violation")
    router.register("performance/rewards", RewardViewSet, basename="reward")
    router.register("performance/ledger", LedgerViewSet, basename="ledger")
    router.register("performance/evaluations", EvaluationViewSet, basename="evaluation")
    router.register("performance/statements", PayStatementViewSet, basename="paystatement")
    router.register("performance/rankings", RankingViewSet, basename="ranking")
