"""Sales API for contracts and money at /api/v1/sales/…: contracts (with actions), instalments,
receipts (finance-only confirm, ORD-2), receivables KPIs (CON-3), reconciliations (CON-4),
overdue notices (CON-5), invoices (CON-6), the seal log (CON-7), guarantees (CON-8).

Reads are scoped (ORG-5; out of scope → 404); every write goes through a service, which checks
permissions and answers refusals with their codes.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin

from . import kpis, services
from .models import (
    Contract,
    Guarantee,
    Instalment,
    InvoiceRequest,
    OverdueNotice,
    Receipt,
    Reconciliation,
    ReconciliationLine,
    SealUse,
)
from .services.contracts import year_figures

AUTHENTICATED = [permissions.IsAuthenticated()]


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


class InstalmentSerializer(serializers.ModelSerializer[Instalment]):
    kind = serializers.CharField(read_only=True)
    outstanding = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Instalment
        fields = ["id", "contract", "kind", "due_date", "amount", "received", "written_off", "outstanding"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer[Contract]):
    status = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "title",
            "category",
            "customer",
            "customer_name",
            "owner",
            "department",
            "amount",
            "currency",
            "status",
            "signed_on",
            "archived_at",
            "balance_confirmed_on",
            "order",
            "created_at",
        ]
        read_only_fields = fields


class ContractDetailSerializer(ContractSerializer):
    instalments = InstalmentSerializer(many=True, read_only=True)

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "instalments"]
        read_only_fields = fields


class PlanLineSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=20)
    due_date = serializers.CharField(max_length=10)
    amount = serializers.CharField(max_length=20)


class ContractCreateSerializer(serializers.Serializer[Any]):
    """Amounts are decimal strings (or numbers); the service checks them and the plan's sum (CON-2)."""

    customer = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    amount = serializers.CharField(max_length=20)
    category = serializers.CharField(max_length=20, required=False, default="sales")
    currency = serializers.CharField(max_length=3, required=False, default="CNY")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    instalments = PlanLineSerializer(many=True)
    order = serializers.IntegerField(required=False, allow_null=True, default=None)


class ContractUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    amount = serializers.CharField(max_length=20, required=False)
    category = serializers.CharField(max_length=20, required=False)
    instalments = PlanLineSerializer(many=True, required=False)


class SignSerializer(serializers.Serializer[Any]):
    signed_on = serializers.CharField(max_length=10)
    scan = serializers.FileField(required=False)


class ArchiveSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(max_length=20, required=False, allow_blank=True)
    scan = serializers.FileField(required=False)


class BalanceSerializer(serializers.Serializer[Any]):
    confirmed_on = serializers.CharField(max_length=10)
    document = serializers.FileField()


class AllocationInputSerializer(serializers.Serializer[Any]):
    instalment = serializers.IntegerField()
    amount = serializers.CharField(max_length=20)


class ReceiptInputSerializer(serializers.Serializer[Any]):
    contract = serializers.IntegerField(required=False)
    amount = serializers.CharField(max_length=20)
    received_on = serializers.CharField(max_length=10)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    allocations = AllocationInputSerializer(many=True, required=False)
    deposit = serializers.IntegerField(required=False, allow_null=True, default=None)


class ReceiptSerializer(serializers.ModelSerializer[Receipt]):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Receipt
        fields = [
            "id",
            "contract",
            "amount",
            "received_on",
            "reference",
            "status",
            "confirmed_by",
            "confirmed_at",
            "reversed_by",
            "reversed_at",
            "reversal_reason",
            "deposit",
        ]
        read_only_fields = fields


class ContractViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Contract],
):
    """Contracts, scoped like customers: drafted by the commerce group, reviewed, signed, archived."""

    queryset = Contract.objects.all()
    serializer_class = ContractSerializer
    filterset_fields = ["status", "category", "customer", "owner"]
    ordering_fields = ["created_at", "amount", "signed_on"]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("customer").prefetch_related("instalments")

    def get_serializer_class(self) -> Any:
        return ContractSerializer if self.action == "list" else ContractDetailSerializer

    def get_permissions(self) -> list[Any]:
        if self.action in ("submit", "sign", "archive", "balance", "receipts", "figures"):
            return AUTHENTICATED  # the services check the permissions and the scope
        return super().get_permissions()

    def _answer(self, contract: Contract, code: int = status.HTTP_200_OK) -> Response:
        found = Contract.objects.restrict(self.request.user, "view").filter(pk=contract.pk).first()
        if found is None:
            raise Http404
        return Response(ContractDetailSerializer(found).data, status=code)

    @extend_schema(request=ContractCreateSerializer, responses={201: ContractDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ContractCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        contract = services.contract_create(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(contract, status.HTTP_201_CREATED)

    @extend_schema(request=ContractUpdateSerializer, responses=ContractDetailSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contract = self.get_object()
        incoming = ContractUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        updated = services.contract_update(actor=request.user, contract=contract, **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(updated)

    @extend_schema(request=None, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Send the draft to the marketing director for review (CON-1)."""
        return self._answer(services.contract_submit(actor=request.user, contract=_pk(pk)))  # type: ignore[arg-type]

    @extend_schema(request=SignSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        incoming = SignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        contract = services.contract_sign(
            actor=request.user, contract=_pk(pk), signed_on=data["signed_on"], scan=data.get("scan")
        )  # type: ignore[arg-type]
        return self._answer(contract)

    @extend_schema(request=ArchiveSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        incoming = ArchiveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        contract = services.contract_archive(
            actor=request.user, contract=_pk(pk), category=data.get("category"), scan=data.get("scan")
        )  # type: ignore[arg-type]
        return self._answer(contract)

    @extend_schema(request=BalanceSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def balance(self, request: Request, pk: str | None = None) -> Response:
        """Record the customer's written balance confirmation of a cross-year contract (CON-2)."""
        incoming = BalanceSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        contract = services.contract_confirm_balance(
            actor=request.user, contract=_pk(pk), confirmed_on=data["confirmed_on"], document=data["document"]
        )  # type: ignore[arg-type]
        return self._answer(contract)

    @extend_schema(request=ReceiptInputSerializer, responses={201: ReceiptSerializer})
    @action(detail=True, methods=["post"])
    def receipts(self, request: Request, pk: str | None = None) -> Response:
        """Confirm money received against the contract — finance only (ORD-2)."""
        incoming = ReceiptInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data.pop("contract", None)
        receipt = services.receipt_confirm(actor=request.user, contract=_pk(pk), **data)  # type: ignore[arg-type]
        return Response(ReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def figures(self, request: Request, pk: str | None = None) -> Response:
        """This year's due / collected / outstanding and the balance carried forward (CON-2)."""
        contract = self.get_object()
        year = int(request.query_params.get("year") or timezone.localdate().year)
        return Response({key: str(value) for key, value in year_figures(contract, year).items()})


class InstalmentViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet[Instalment]):  # type: ignore[misc]
    """Payment-plan lines of signed contracts, scoped; a bad-debt write-off is requested here (CON-3)."""

    queryset = Instalment.objects.all()
    serializer_class = InstalmentSerializer
    filterset_fields = ["contract", "kind", "owner"]

    def get_permissions(self) -> list[Any]:
        return AUTHENTICATED if self.action == "write_off" else super().get_permissions()

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request: Request, pk: str | None = None) -> Response:
        write_off = services.write_off_request(
            actor=request.user, instalment=_pk(pk), amount=request.data.get("amount"), reason=request.data.get("reason")
        )  # type: ignore[arg-type]
        return Response({"id": write_off.pk, "status": write_off.status}, status=status.HTTP_201_CREATED)


class ReceiptViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Receipt]
):
    """Receipts, scoped; only finance confirms (POST) or reverses — anyone else gets ``sales.finance_only``."""

    queryset = Receipt.objects.all()
    serializer_class = ReceiptSerializer
    filterset_fields = ["contract", "status"]

    def get_permissions(self) -> list[Any]:
        return AUTHENTICATED if self.action in ("create", "reverse") else super().get_permissions()

    @extend_schema(request=ReceiptInputSerializer, responses={201: ReceiptSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ReceiptInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        receipt = services.receipt_confirm(actor=request.user, contract=data.pop("contract", None), **data)  # type: ignore[arg-type]
        return Response(ReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str | None = None) -> Response:
        receipt = services.receipt_reverse(actor=request.user, receipt=_pk(pk), reason=request.data.get("reason"))  # type: ignore[arg-type]
        return Response(ReceiptSerializer(receipt).data)


class InvoiceSerializer(serializers.ModelSerializer[InvoiceRequest]):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = InvoiceRequest
        fields = [
            "id",
            "contract",
            "amount",
            "title",
            "tax_number",
            "bank",
            "bank_account",
            "address",
            "status",
            "requested_by",
            "requested_at",
            "checked_at",
            "issued_at",
            "invoice_number",
        ]
        read_only_fields = fields


class InvoiceInputSerializer(serializers.Serializer[Any]):
    contract = serializers.IntegerField()
    amount = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=200)
    tax_number = serializers.CharField(max_length=40)
    bank = serializers.CharField(max_length=200)
    bank_account = serializers.CharField(max_length=40)
    address = serializers.CharField(max_length=300)


class InvoiceViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[InvoiceRequest]
):
    """Invoice requests (CON-6): details checked first, issued by finance after payment."""

    queryset = InvoiceRequest.objects.all()
    serializer_class = InvoiceSerializer
    filterset_fields = ["contract", "status"]

    def get_permissions(self) -> list[Any]:
        return AUTHENTICATED if self.action in ("check", "issue") else super().get_permissions()

    @extend_schema(request=InvoiceInputSerializer, responses={201: InvoiceSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = InvoiceInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        invoice = services.invoice_request_create(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return Response(InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: str | None = None) -> Response:
        return Response(InvoiceSerializer(services.invoice_check(actor=request.user, invoice=_pk(pk))).data)  # type: ignore[arg-type]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        invoice = services.invoice_issue(
            actor=request.user, invoice=_pk(pk), invoice_number=request.data.get("invoice_number")
        )  # type: ignore[arg-type]
        return Response(InvoiceSerializer(invoice).data)


class ReconciliationLineSerializer(serializers.ModelSerializer[ReconciliationLine]):
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    difference = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = ReconciliationLine
        fields = ["id", "contract", "contract_number", "sales_amount", "finance_amount", "difference", "note"]
        read_only_fields = fields


class ReconciliationSerializer(serializers.ModelSerializer[Reconciliation]):
    kind = serializers.CharField(read_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Reconciliation
        fields = [
            "id",
            "kind",
            "period_start",
            "period_end",
            "sales_signed_by",
            "sales_signed_at",
            "finance_signed_by",
            "finance_signed_at",
            "lines",
        ]
        read_only_fields = fields

    @extend_schema(responses=ReconciliationLineSerializer(many=True))
    def get_lines(self, obj: Reconciliation) -> list[dict[str, Any]]:
        request = self.context.get("request")
        if request is None or (self.context.get("view") and self.context["view"].action == "list"):
            return []
        rows = ReconciliationLine.objects.restrict(request.user, "view").filter(reconciliation=obj)
        return ReconciliationLineSerializer(rows.select_related("contract"), many=True).data  # type: ignore[return-value]


class ReconciliationViewSet(  # type: ignore[misc]
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Reconciliation]
):
    """Reconciliations with finance (CON-4): open a period, finance enters its figures, both sides sign."""

    queryset = Reconciliation.objects.all()
    serializer_class = ReconciliationSerializer
    filterset_fields = ["kind"]

    def get_permissions(self) -> list[Any]:
        return AUTHENTICATED if self.action in ("figure", "sign", "create") else super().get_permissions()

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: ReconciliationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        recon = services.reconciliation_open(
            actor=request.user, kind=request.data.get("kind"), on=request.data.get("on")
        )  # type: ignore[arg-type]
        return Response(ReconciliationSerializer(recon, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=ReconciliationLineSerializer)
    @action(detail=True, methods=["post"])
    def figure(self, request: Request, pk: str | None = None) -> Response:
        line = services.reconciliation_set_finance(
            actor=request.user,
            reconciliation=_pk(pk),
            line=request.data.get("line"),
            amount=request.data.get("amount"),
            note=request.data.get("note", ""),
        )  # type: ignore[arg-type]
        return Response(ReconciliationLineSerializer(line).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=ReconciliationSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        recon = services.reconciliation_sign(
            actor=request.user, reconciliation=_pk(pk), side=str(request.data.get("side", ""))
        )  # type: ignore[arg-type]
        return Response(ReconciliationSerializer(recon, context=self.get_serializer_context()).data)


class NoticeSerializer(serializers.ModelSerializer[OverdueNotice]):
    class Meta:
        model = OverdueNotice
        fields = ["id", "instalment", "month", "outstanding", "days_overdue", "owner", "created_at"]
        read_only_fields = fields


class NoticeViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet[OverdueNotice]):  # type: ignore[misc]
    """Month-end overdue notices (CON-5), scoped to the owning reps."""

    queryset = OverdueNotice.objects.all()
    serializer_class = NoticeSerializer
    filterset_fields = ["owner", "month"]


class SealUseSerializer(serializers.ModelSerializer[SealUse]):
    class Meta:
        model = SealUse
        fields = ["id", "contract", "document", "purpose", "used_by", "used_at", "recorded_by", "created_at"]
        read_only_fields = ["id", "recorded_by", "created_at"]


class SealUseViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[SealUse],
):
    """The contract-seal log (CON-7); only the keeper records uses."""

    queryset = SealUse.objects.all()
    serializer_class = SealUseSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        use = services.seal_use_record(
            actor=request.user,
            document=data.get("document"),
            purpose=data.get("purpose"),
            used_by=data.get("used_by"),
            used_at=data.get("used_at"),
            contract=data.get("contract"),
        )  # type: ignore[arg-type]
        return Response(SealUseSerializer(use).data, status=status.HTTP_201_CREATED)


class GuaranteeSerializer(serializers.ModelSerializer[Guarantee]):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Guarantee
        fields = ["id", "guarantor", "contract", "amount", "guaranteed_on", "status", "violation"]
        read_only_fields = fields


class GuaranteeViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Guarantee],
):
    """Distributor guarantees by regional managers, up to the limit (CON-8)."""

    queryset = Guarantee.objects.all()
    serializer_class = GuaranteeSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        guarantee = services.guarantee_create(
            actor=request.user,
            contract=request.data.get("contract"),
            amount=request.data.get("amount"),
            guaranteed_on=request.data.get("guaranteed_on"),
        )  # type: ignore[arg-type]
        return Response(GuaranteeSerializer(guarantee).data, status=status.HTTP_201_CREATED)


class ReceivablesViewSet(viewsets.ViewSet):
    """回款率, 坏账率 and the ageing totals of the caller's scope (CON-3); ``period`` is YYYY or YYYY-MM."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        if not request.user.has_perm("sales.view_instalment"):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied
        today = timezone.localdate()
        period = kpis.Period.parse(request.query_params.get("period"), today)
        narrow = {
            "owner": request.query_params.get("owner")
            if str(request.query_params.get("owner", "")).isdigit()
            else None,
            "department": request.query_params.get("department")
            if str(request.query_params.get("department", "")).isdigit()
            else None,
        }
        collection = kpis.collection_rate(request.user, period, **narrow)  # type: ignore[arg-type]
        bad_debt = kpis.bad_debt_ratio(request.user, period, **narrow)  # type: ignore[arg-type]
        ageing = kpis.ageing(request.user, today, **narrow)  # type: ignore[arg-type]

        def figure(result: kpis.Figure) -> dict[str, Any]:
            return {
                "value": None if result.value is None else str(result.value),
                "numerator": str(result.numerator),
                "denominator": str(result.denominator),
                "threshold": str(result.threshold),
                "meets": result.meets,
            }

        return Response(
            {
                "period": period.label,
                "collection_rate": figure(collection),
                "bad_debt_ratio": figure(bad_debt),
                "ageing": {key: str(value) for key, value in ageing.totals.items()},
            }
        )


def register_money(router: BaseRouter) -> None:
    router.register("sales/contracts", ContractViewSet, basename="sales-contract")
    router.register("sales/instalments", InstalmentViewSet, basename="sales-instalment")
    router.register("sales/receipts", ReceiptViewSet, basename="sales-receipt")
    router.register("sales/invoices", InvoiceViewSet, basename="sales-invoice")
    router.register("sales/reconciliations", ReconciliationViewSet, basename="sales-reconciliation")
    router.register("sales/overdue-notices", NoticeViewSet, basename="sales-overdue-notice")
    router.register("sales/seal-uses", SealUseViewSet, basename="sales-seal-use")
    router.register("sales/guarantees", GuaranteeViewSet, basename="sales-guarantee")
    router.register("sales/receivables", ReceivablesViewSet, basename="sales-receivables")
