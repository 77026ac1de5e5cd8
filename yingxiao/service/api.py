"""Complaint and after-sales API: /api/v1/complaints/ (CMP-1…7) and /api/v1/aftersales-records/ (CMP-8).

Reads are scoped by ``restrict`` (CMP-7: out-of-scope complaints are 404); writes call the
services. Choice fields are plain strings here (validated by the services) so the schema's enum
names do not collide with other apps' ``status`` / ``kind`` enums.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin
from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.org.models import Department, User

from . import aftersales, services
from .forms import ComplaintFilterSet
from .models import AfterSalesRecord, Complaint, ComplaintEvent


class EventSerializer(serializers.ModelSerializer[ComplaintEvent]):
    kind = serializers.CharField(read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = ["id", "kind", "from_status", "to_status", "message", "channel", "actor", "at"]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer[Complaint]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    category = serializers.CharField(read_only=True)
    channel = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    cause = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id", "received_at", "channel", "customer", "customer_name", "complainant", "contact", "matter",
            "category", "invoice_no", "product", "spec", "quantity", "grade", "purchase_date",
            "responsible_department", "responsible_person", "cause", "responsibility", "plan", "status",
            "status_display", "assign_due_at", "close_due_at", "assigned_at", "closed_at", "recorded_by",
        ]  # fmt: skip
        read_only_fields = fields


class ComplaintDetailSerializer(ComplaintSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "events"]
        read_only_fields = fields


class ComplaintCreateSerializer(serializers.Serializer[Any]):
    """rule: CMP-1 — ``customer`` and ``responsible_department`` are plain ids: the service answers 404."""

    customer = serializers.IntegerField()
    received_at = serializers.DateTimeField(required=False)
    channel = serializers.CharField(required=False, default=Complaint.Channel.API, max_length=10)
    complainant = serializers.CharField(max_length=100)
    contact = serializers.CharField(max_length=100)
    matter = serializers.CharField(max_length=4000)
    category = serializers.CharField(max_length=10)
    responsible_department = serializers.IntegerField(required=False, allow_null=True)
    invoice_no = serializers.CharField(required=False, allow_blank=True, max_length=60)
    product = serializers.CharField(required=False, allow_blank=True, max_length=120)
    spec = serializers.CharField(required=False, allow_blank=True, max_length=120)
    quantity = serializers.DecimalField(required=False, allow_null=True, max_digits=12, decimal_places=2)
    grade = serializers.CharField(required=False, allow_blank=True, max_length=60)
    purchase_date = serializers.DateField(required=False, allow_null=True)


class ComplaintAssignSerializer(serializers.Serializer[Any]):
    cause = serializers.CharField(max_length=20)
    responsibility = serializers.CharField(max_length=4000)
    plan = serializers.CharField(max_length=4000)
    responsible_person = serializers.IntegerField(required=False, allow_null=True)


class ComplaintSolutionSerializer(serializers.Serializer[Any]):
    measures = serializers.CharField(max_length=4000)
    deadline = serializers.DateField()
    department = serializers.IntegerField(required=False, allow_null=True)
    attributable = serializers.BooleanField(required=False, default=False)
    attributed_to = serializers.IntegerField(required=False, allow_null=True)


class ComplaintDecideSerializer(serializers.Serializer[Any]):
    decision = serializers.CharField(max_length=10)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    fine_amount = serializers.DecimalField(required=False, allow_null=True, max_digits=12, decimal_places=2)


class ComplaintProgressSerializer(serializers.Serializer[Any]):
    message = serializers.CharField(max_length=4000)
    channel = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)


class ComplaintSurveySerializer(serializers.Serializer[Any]):
    satisfaction = serializers.IntegerField()
    resolved = serializers.BooleanField(required=False, default=True)
    comments = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    called_at = serializers.DateTimeField(required=False)


class ComplaintCloseSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


def _user(pk: int | None) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise BusinessError(NOT_FOUND, field="user")
    return user


def _department(pk: int | None) -> Department | None:
    if pk is None:
        return None
    department = Department.objects.filter(pk=pk, is_active=True).first()
    if department is None:
        raise BusinessError(NOT_FOUND, field="department")
    return department


class ComplaintViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Complaint],
):
    """Complaints visible by authority (CMP-7); each transition is its own POST action."""

    queryset = Complaint.objects.select_related("customer").all()
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilterSet
    ordering_fields = ["received_at", "close_due_at"]

    def get_queryset(self) -> Any:
        # Transitions are POSTs on one complaint: they read it with "view" and the service decides.
        return self.queryset.all().restrict(self.request.user, "view")  # type: ignore[attr-defined]

    def get_serializer_class(self) -> Any:
        return ComplaintDetailSerializer if self.action == "retrieve" else ComplaintSerializer

    def _reply(self, complaint: Complaint, code: int = status.HTTP_200_OK) -> Response:
        complaint.refresh_from_db()
        return Response(ComplaintDetailSerializer(complaint).data, status=code)

    @extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ComplaintCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        user: User = request.user  # type: ignore[assignment]
        customer = services.intake_customer(user, data.pop("customer"))
        data["responsible_department"] = _department(data.get("responsible_department"))
        complaint = services.complaint_intake(actor=user, customer=customer, **data)
        return self._reply(complaint, status.HTTP_201_CREATED)

    def _act(self, request: Request, serializer_class: type[serializers.Serializer[Any]], call: Any) -> Response:
        complaint = self.get_object()
        incoming = serializer_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        call(request.user, complaint, dict(incoming.validated_data))
        return self._reply(complaint)

    @extend_schema(request=ComplaintAssignSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        def call(user: User, complaint: Complaint, data: dict[str, Any]) -> None:
            data["responsible_person"] = _user(data.get("responsible_person"))
            services.complaint_assign(actor=user, complaint=complaint, **data)

        return self._act(request, ComplaintAssignSerializer, call)

    @extend_schema(request=ComplaintSolutionSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def solution(self, request: Request, pk: Any = None) -> Response:
        def call(user: User, complaint: Complaint, data: dict[str, Any]) -> None:
            data["department"] = _department(data.get("department"))
            data["attributed_to"] = _user(data.get("attributed_to"))
            services.solution_propose(actor=user, complaint=complaint, **data)

        return self._act(request, ComplaintSolutionSerializer, call)

    @extend_schema(request=ComplaintDecideSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        return self._act(
            request, ComplaintDecideSerializer, lambda u, c, d: services.solution_decide(actor=u, complaint=c, **d)
        )

    @extend_schema(request=ComplaintProgressSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: Any = None) -> Response:
        return self._act(
            request, ComplaintProgressSerializer, lambda u, c, d: services.complaint_progress(actor=u, complaint=c, **d)
        )

    @extend_schema(request=ComplaintSurveySerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def survey(self, request: Request, pk: Any = None) -> Response:
        return self._act(
            request, ComplaintSurveySerializer, lambda u, c, d: services.survey_record(actor=u, complaint=c, **d)
        )

    @extend_schema(request=ComplaintCloseSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        return self._act(
            request, ComplaintCloseSerializer, lambda u, c, d: services.complaint_close(actor=u, complaint=c, **d)
        )


class AfterSalesRecordSerializer(serializers.ModelSerializer[AfterSalesRecord]):
    kind = serializers.CharField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = AfterSalesRecord
        fields = [
            "id", "customer", "customer_name", "kind", "served_on", "staff", "department", "product",
            "description", "result", "complaint", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class AfterSalesRecordCreateSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField()
    kind = serializers.CharField(max_length=15)
    served_on = serializers.DateField(required=False)
    product = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    description = serializers.CharField(max_length=4000)
    result = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class AfterSalesRecordViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[AfterSalesRecord],
):
    """After-sales service records (CMP-8), scoped like other records (own / department / all)."""

    queryset = AfterSalesRecord.objects.select_related("customer").all()
    serializer_class = AfterSalesRecordSerializer

    @extend_schema(request=AfterSalesRecordCreateSerializer, responses={201: AfterSalesRecordSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = AfterSalesRecordCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        user: User = request.user  # type: ignore[assignment]
        customer = aftersales.record_customer(user, data.pop("customer"))
        record = aftersales.aftersales_record(actor=user, customer=customer, **data)
        return Response(AfterSalesRecordSerializer(record).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    router.register("complaints", ComplaintViewSet)
    router.register("aftersales-records", AfterSalesRecordViewSet)
