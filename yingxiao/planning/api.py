"""Planning API: /api/v1/target-plans/ (with /publish/ and /progress/), /targets/ (with /explain/ and
/reallocate/), /corrective-actions/ (with /submit/), /budgets/, /expense-claims/, /gift-requests/
(with /confirm/).

Reads are scoped by ``restrict`` (own / department / all, ORG-5): out of scope is 404. Writes call
the services, which check the verb, the scope and the input; bad input changes nothing.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin
from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.org.models import Department, User

from . import expenses, targets
from .models import Budget, CorrectiveAction, ExpenseClaim, GiftRequest, Target, TargetPlan

_MONEY = {"max_digits": 16, "decimal_places": 2}


class _Scoped(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Any]
):
    """List and detail in the caller's scope (ORG-5: out of scope is 404); the services authorise writes too."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _created(self, obj: Any) -> Response:
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


def _department(pk: Any) -> Department:
    found = Department.objects.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise BusinessError(NOT_FOUND, field="department")
    return found


def _user(pk: Any, field: str) -> User:
    found = User.objects.filter(pk=pk).first()
    if found is None:
        raise BusinessError(NOT_FOUND, field=field)
    return found


# --- targets ----------------------------------------------------------------------------------
class TargetPlanSerializer(serializers.ModelSerializer[TargetPlan]):
    status = serializers.CharField(read_only=True)
    metric = serializers.CharField(read_only=True)

    class Meta:
        model = TargetPlan
        fields = ["id", "year", "metric", "department", "name", "status", "created_by", "created_at", "published_at"]
        read_only_fields = fields


class TargetPlanCreateSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    metric = serializers.CharField(max_length=20)
    department = serializers.IntegerField()
    amount = serializers.DecimalField(**_MONEY)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ProgressSerializer(serializers.Serializer[Any]):
    target = serializers.IntegerField(source="target.pk")
    unit = serializers.CharField(source="target.unit_label")
    period = serializers.CharField(source="target.period_label")
    planned = serializers.DecimalField(source="target.amount", **_MONEY)
    actual = serializers.DecimalField(allow_null=True, **_MONEY)
    rate = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    ended = serializers.BooleanField()


class TargetPlanViewSet(mixins.CreateModelMixin, _Scoped):
    """rule: PLN-1 — annual plans per metric; ``publish`` refuses parts that do not add up unexplained."""

    queryset = TargetPlan.objects.select_related("department")
    serializer_class = TargetPlanSerializer

    @extend_schema(request=TargetPlanCreateSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = TargetPlanCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data["department"] = _department(data["department"])
        return self._created(targets.plan_create(actor=request.user, **data))  # type: ignore[arg-type]

    @extend_schema(request=None, responses={200: TargetPlanSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        plan = targets.plan_publish(actor=request.user, plan=self.get_object())  # type: ignore[arg-type]
        return Response(TargetPlanSerializer(plan).data)

    @extend_schema(responses={200: ProgressSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: Any = None) -> Response:
        """rule: PLN-3 — plan vs actual of the caller's targets, actuals within the caller's scope."""
        rows = targets.plan_vs_actual(viewer=request.user, plan=self.get_object())  # type: ignore[arg-type]
        return Response(ProgressSerializer(rows, many=True).data)


class TargetSerializer(serializers.ModelSerializer[Target]):
    period_kind = serializers.CharField(read_only=True)

    class Meta:
        model = Target
        fields = [
            "id", "plan", "parent", "period_kind", "period_index", "department", "person", "amount",
            "difference_note", "explained_difference",
        ]  # fmt: skip
        read_only_fields = fields


class TargetCreateSerializer(serializers.Serializer[Any]):
    parent = serializers.IntegerField()
    amount = serializers.DecimalField(**_MONEY)
    period_kind = serializers.CharField(max_length=10, required=False, allow_blank=True, default=None)
    period_index = serializers.IntegerField(required=False, allow_null=True, default=None)
    department = serializers.IntegerField(required=False, allow_null=True, default=None)
    person = serializers.IntegerField(required=False, allow_null=True, default=None)


class TargetAmountSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(**_MONEY)


class ExplainSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=4000)


class ReallocationLineSerializer(serializers.Serializer[Any]):
    target = serializers.IntegerField()
    amount = serializers.DecimalField(**_MONEY)


class ReallocateSerializer(serializers.Serializer[Any]):
    changes = ReallocationLineSerializer(many=True, allow_empty=False, max_length=500)
    reason = serializers.CharField(max_length=4000)


class TargetViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, _Scoped):
    """rule: PLN-1, PLN-2 — the target tree: split, change (draft), explain, reallocate (published)."""

    queryset = Target.objects.select_related("plan")
    serializer_class = TargetSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _target(self, pk: Any, field: str) -> Target:
        found = Target.objects.restrict(self.request.user, "view").filter(pk=pk).first()
        if found is None:
            raise BusinessError(NOT_FOUND, field=field)
        return found

    @extend_schema(request=TargetCreateSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = TargetCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        parent = self._target(data.pop("parent"), "parent")
        department = _department(data["department"]) if data["department"] is not None else None
        person = _user(data["person"], "person") if data["person"] is not None else None
        child = targets.target_add_child(
            actor=request.user,  # type: ignore[arg-type]
            parent=parent,
            amount=data["amount"],
            period_kind=data["period_kind"] or None,
            period_index=data["period_index"],
            department=department,
            person=person,
        )
        return self._created(child)

    @extend_schema(request=TargetAmountSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self.get_object()
        incoming = TargetAmountSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        changed = targets.target_set_amount(actor=request.user, target=target, amount=incoming.validated_data["amount"])  # type: ignore[arg-type]
        return Response(TargetSerializer(changed).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=ExplainSerializer, responses={200: TargetSerializer})
    @action(detail=True, methods=["post"])
    def explain(self, request: Request, pk: Any = None) -> Response:
        incoming = ExplainSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        target = targets.target_explain(actor=request.user, target=self.get_object(), **incoming.validated_data)  # type: ignore[arg-type]
        return Response(TargetSerializer(target).data)

    @extend_schema(request=ReallocateSerializer, responses={200: TargetSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def reallocate(self, request: Request) -> Response:
        incoming = ReallocateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        changes = {
            self._target(line["target"], "changes"): line["amount"] for line in incoming.validated_data["changes"]
        }
        records = targets.target_reallocate(
            actor=request.user,  # type: ignore[arg-type]
            changes=changes,
            reason=incoming.validated_data["reason"],
        )
        changed = Target.objects.filter(pk__in=[r.target_id for r in records])
        return Response(TargetSerializer(changed, many=True).data)


class CorrectiveActionSerializer(serializers.ModelSerializer[CorrectiveAction]):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id", "target", "owner", "department", "planned", "actual", "due_date", "status", "analysis", "action",
            "submitted_by", "submitted_at",
        ]  # fmt: skip
        read_only_fields = fields


class CorrectiveSubmitSerializer(serializers.Serializer[Any]):
    analysis = serializers.CharField(max_length=4000)
    action = serializers.CharField(max_length=4000)


class CorrectiveActionViewSet(_Scoped):
    """rule: PLN-3 — corrective actions of targets behind plan; ``submit`` records the measures."""

    queryset = CorrectiveAction.objects.select_related("target")
    serializer_class = CorrectiveActionSerializer

    @extend_schema(request=CorrectiveSubmitSerializer, responses={200: CorrectiveActionSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        incoming = CorrectiveSubmitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        done = targets.corrective_action_submit(
            actor=request.user,  # type: ignore[arg-type]
            action=self.get_object(),
            analysis=incoming.validated_data["analysis"],
            measures=incoming.validated_data["action"],
        )
        return Response(CorrectiveActionSerializer(done).data)


# --- budgets, claims, gifts -------------------------------------------------------------------
class BudgetSerializer(serializers.ModelSerializer[Budget]):
    category = serializers.CharField(read_only=True)
    remaining = serializers.DecimalField(read_only=True, **_MONEY)

    class Meta:
        model = Budget
        fields = ["id", "department", "year", "month", "category", "amount", "committed", "spent", "remaining"]
        read_only_fields = fields


class BudgetSetSerializer(serializers.Serializer[Any]):
    department = serializers.IntegerField()
    year = serializers.IntegerField()
    month = serializers.IntegerField(required=False, allow_null=True, default=None)
    category = serializers.CharField(max_length=20)
    amount = serializers.DecimalField(**_MONEY)


class BudgetViewSet(mixins.CreateModelMixin, _Scoped):
    """rule: PLN-4 — department budgets; ``POST`` creates one or changes its amount."""

    queryset = Budget.objects.select_related("department")
    serializer_class = BudgetSerializer

    @extend_schema(request=BudgetSetSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = BudgetSetSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data["department"] = _department(data["department"])
        return self._created(expenses.budget_set(actor=request.user, **data))  # type: ignore[arg-type]


class ExpenseClaimSerializer(serializers.ModelSerializer[ExpenseClaim]):
    status = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True)

    class Meta:
        model = ExpenseClaim
        fields = [
            "id", "claimant", "department", "budget", "category", "amount", "spent_on", "description", "receipt",
            "status", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ExpenseClaimCreateSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(max_length=20)
    amount = serializers.DecimalField(**_MONEY)
    spent_on = serializers.DateField()
    description = serializers.CharField(max_length=4000)
    receipt = serializers.FileField(required=False, allow_null=True, default=None)


class ExpenseClaimViewSet(mixins.CreateModelMixin, _Scoped):
    """rule: PLN-4 — claims charged to the budget (refused beyond it), approved by amount tiers."""

    queryset = ExpenseClaim.objects.select_related("department")
    serializer_class = ExpenseClaimSerializer

    @extend_schema(request=ExpenseClaimCreateSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ExpenseClaimCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._created(expenses.expense_claim_submit(actor=request.user, **incoming.validated_data))  # type: ignore[arg-type]


class GiftRequestSerializer(serializers.ModelSerializer[GiftRequest]):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = GiftRequest
        fields = [
            "id", "requester", "department", "customer", "gift", "quantity", "value", "reason", "status",
            "approved_at", "deliver_by", "delivered_at", "signed_by", "signature", "violation_recorded", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class GiftRequestCreateSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField()
    gift = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(required=False, default=1)
    value = serializers.DecimalField(**_MONEY)
    reason = serializers.CharField(max_length=4000)


class GiftConfirmSerializer(serializers.Serializer[Any]):
    signed_by = serializers.CharField(max_length=100)
    signature = serializers.FileField(required=False, allow_null=True, default=None)


class GiftRequestViewSet(mixins.CreateModelMixin, _Scoped):
    """rule: PLN-5 — gift requests; ``confirm`` records the customer's signature (礼品签收单)."""

    queryset = GiftRequest.objects.select_related("customer")
    serializer_class = GiftRequestSerializer

    @extend_schema(request=GiftRequestCreateSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = GiftRequestCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._created(expenses.gift_request(actor=request.user, **incoming.validated_data))  # type: ignore[arg-type]

    @extend_schema(request=GiftConfirmSerializer, responses={200: GiftRequestSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        incoming = GiftConfirmSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        gift = expenses.gift_confirm_delivery(actor=request.user, gift=self.get_object(), **incoming.validated_data)  # type: ignore[arg-type]
        return Response(GiftRequestSerializer(gift).data)


def register(router: BaseRouter) -> None:
    router.register("target-plans", TargetPlanViewSet)
    router.register("targets", TargetViewSet)
    router.register("corrective-actions", CorrectiveActionViewSet)
    router.register("budgets", BudgetViewSet)
    router.register("expense-claims", ExpenseClaimViewSet)
    router.register("gift-requests", GiftRequestViewSet)
