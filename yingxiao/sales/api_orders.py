"""Sales API for stock, deposits, orders and shipments (ORD-1…6, SHP-1…3), at /api/v1/sales/….

Reads are scoped (ORG-5: a rep never sees another rep's deposits or orders — 404); every write
goes through a service; ``deposits/{id}/confirm`` is for finance only (ORD-2) — anyone else gets
``sales.finance_only`` (403) and nothing changes.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin

from . import selectors
from .models import Deposit, Order, OrderLine, OrderVersion, Shipment, StockItem
from .services import deposits as deposit_services
from .services import orders as order_services
from .services import shipments as shipment_services
from .services import stock as stock_services


def _pk(value: Any) -> int:
    from django.http import Http404

    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


# --- stock ---------------------------------------------------------------------------------------
class StockItemSerializer(serializers.ModelSerializer[StockItem]):
    status = serializers.CharField(read_only=True)
    location_kind = serializers.CharField(read_only=True)
    product_code = serializers.CharField(source="product.code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = StockItem
        fields = [
            "id", "product", "product_code", "serial_no", "location_kind", "location", "placed_on", "keeper",
            "status", "status_display", "note",
        ]  # fmt: skip
        read_only_fields = fields


class StockItemCreateSerializer(serializers.Serializer[Any]):
    product = serializers.IntegerField()
    serial_no = serializers.CharField(max_length=60)
    location_kind = serializers.CharField(max_length=20, required=False, default="warehouse")
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    placed_on = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class StockItemViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[StockItem]
):
    """Stock units and their sales control (销控, ORD-5): company data, readable by sales roles."""

    queryset = StockItem.objects.all()
    serializer_class = StockItemSerializer
    filterset_fields = ["status", "product", "location_kind"]

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("product")

    @extend_schema(request=StockItemCreateSerializer, responses={201: StockItemSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = StockItemCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        item = stock_services.stock_item_create(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return Response(StockItemSerializer(item).data, status=status.HTTP_201_CREATED)


# --- deposits ------------------------------------------------------------------------------------
class DepositSerializer(serializers.ModelSerializer[Deposit]):
    status = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Deposit
        fields = [
            "id", "number", "kind", "item", "customer", "customer_name", "owner", "department", "amount",
            "currency", "payer", "note", "status", "status_display", "registered_at", "confirmed_by",
            "confirmed_at", "closed_at", "close_reason",
        ]  # fmt: skip
        read_only_fields = fields


class DepositCreateSerializer(serializers.Serializer[Any]):
    """``amount`` is a decimal string (or number) checked by the service; ids are plain (404 out of scope)."""

    customer = serializers.IntegerField()
    item = serializers.IntegerField()
    kind = serializers.CharField(max_length=10)
    amount = serializers.CharField(max_length=30)
    currency = serializers.CharField(max_length=3, required=False, default="CNY")
    payer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, allow_blank=True)


class DepositViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Deposit]
):
    """Deposits (小定/大定), scoped; ``confirm`` and ``refund`` are finance-only (ORD-2)."""

    queryset = Deposit.objects.all()
    serializer_class = DepositSerializer
    filterset_fields = ["status", "kind", "customer", "owner", "item"]
    ordering_fields = ["registered_at", "amount"]

    def get_queryset(self) -> Any:
        return selectors.deposits_visible_to(self.request.user)  # type: ignore[arg-type]

    def get_permissions(self) -> list[Any]:
        if self.action in ("confirm", "void", "refund"):
            return [permissions.IsAuthenticated()]  # the services check the permission and the scope
        return super().get_permissions()

    def _answer(self, deposit: Deposit, code: int = status.HTTP_200_OK) -> Response:
        return Response(DepositSerializer(selectors.get_deposit_for(self.request.user, deposit.pk)).data, status=code)  # type: ignore[arg-type]

    @extend_schema(request=DepositCreateSerializer, responses={201: DepositSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = DepositCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        deposit = deposit_services.deposit_register(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(deposit, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DepositSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Finance confirms the money was received (ORD-2); anyone else: 403 ``sales.finance_only``."""
        return self._answer(deposit_services.deposit_confirm(actor=request.user, deposit=_pk(pk)))  # type: ignore[arg-type]

    @extend_schema(request=ReasonSerializer, responses=DepositSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str | None = None) -> Response:
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._answer(
            deposit_services.deposit_void(actor=request.user, deposit=_pk(pk), **incoming.validated_data)
        )  # type: ignore[arg-type]

    @extend_schema(request=ReasonSerializer, responses=DepositSerializer)
    @action(detail=True, methods=["post"])
    def refund(self, request: Request, pk: str | None = None) -> Response:
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._answer(
            deposit_services.deposit_refund(actor=request.user, deposit=_pk(pk), **incoming.validated_data)
        )  # type: ignore[arg-type]


# --- orders --------------------------------------------------------------------------------------
class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["id", "product", "product_code", "description", "quantity", "list_price", "unit_price", "amount"]
        read_only_fields = fields


class OrderVersionSerializer(serializers.ModelSerializer[OrderVersion]):
    status = serializers.CharField(read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = OrderVersion
        fields = [
            "version", "status", "change_note", "delivery_date", "total", "created_by", "created_at",
            "submitted_at", "signed_off_by", "signed_off_at", "decision_note", "lines",
        ]  # fmt: skip
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer[Order]):
    status = serializers.CharField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "number", "customer", "customer_name", "owner", "department", "currency", "deposit", "status",
            "status_display", "version", "effective_version", "total", "effective_at", "plan_due_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    versions = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "versions"]
        read_only_fields = fields

    @extend_schema(responses=OrderVersionSerializer(many=True))
    def get_versions(self, obj: Order) -> list[dict[str, Any]]:
        return OrderVersionSerializer(selectors.order_versions(obj), many=True).data  # type: ignore[return-value]


class OrderLineInputSerializer(serializers.Serializer[Any]):
    product = serializers.IntegerField()
    quantity = serializers.CharField(max_length=20)
    unit_price = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True, default=None)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class OrderCreateSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField()
    currency = serializers.CharField(max_length=3, required=False, default="CNY")
    deposit = serializers.IntegerField(required=False, allow_null=True, default=None)
    delivery_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    lines = OrderLineInputSerializer(many=True)


class OrderChangeSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=500, allow_blank=True)
    delivery_date = serializers.DateField(required=False, allow_null=True, default=None)
    lines = OrderLineInputSerializer(many=True)


class OrderLinesSerializer(serializers.Serializer[Any]):
    lines = OrderLineInputSerializer(many=True)


class SignoffSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OrderViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Order]
):
    """Orders, scoped: reps never browse others' orders (ORD-3); sign-off by manager or group leader."""

    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    filterset_fields = ["status", "customer", "owner"]
    ordering_fields = ["created_at", "total"]

    def get_queryset(self) -> Any:
        return selectors.orders_visible_to(self.request.user)  # type: ignore[arg-type]

    def get_serializer_class(self) -> Any:
        return OrderDetailSerializer if self.action != "list" else OrderSerializer

    def get_permissions(self) -> list[Any]:
        if self.action in ("submit", "signoff", "change", "set_lines"):
            return [permissions.IsAuthenticated()]  # the services check permission, scope and signer
        return super().get_permissions()

    def _answer(self, order: Order, code: int = status.HTTP_200_OK) -> Response:
        found = selectors.get_order_for(self.request.user, order.pk)  # type: ignore[arg-type]
        return Response(OrderDetailSerializer(found, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = OrderCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        order = order_services.order_create(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(order, status.HTTP_201_CREATED)

    @extend_schema(request=OrderLinesSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="lines")
    def set_lines(self, request: Request, pk: str | None = None) -> Response:
        """Replace the draft's lines; a submitted or signed-off version: 409 ``sales.order_signed_off``."""
        incoming = OrderLinesSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        order = order_services.order_update_lines(actor=request.user, order=_pk(pk), **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(order)

    @extend_schema(request=None, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(order_services.order_submit(actor=request.user, order=_pk(pk)))  # type: ignore[arg-type]

    @extend_schema(request=SignoffSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def signoff(self, request: Request, pk: str | None = None) -> Response:
        incoming = SignoffSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._answer(order_services.order_signoff(actor=request.user, order=_pk(pk), **incoming.validated_data))  # type: ignore[arg-type]

    @extend_schema(request=OrderChangeSerializer, responses={201: OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def change(self, request: Request, pk: str | None = None) -> Response:
        """A change to an effective order: a new version pending sign-off (ORD-3)."""
        incoming = OrderChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        order = order_services.order_change(actor=request.user, order=_pk(pk), **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(order, status.HTTP_201_CREATED)


# --- shipments -----------------------------------------------------------------------------------
class ShipmentSerializer(serializers.ModelSerializer[Shipment]):
    status = serializers.CharField(read_only=True)
    has_receipt = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()

    class Meta:
        model = Shipment
        fields = [
            "id", "number", "order", "responsible", "carrier", "tracking_no", "address", "status", "created_at",
            "dispatched_at", "has_receipt", "receipt_uploaded_at", "missing_documents",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_receipt(self, obj: Shipment) -> bool:
        return bool(obj.receipt)

    def get_missing_documents(self, obj: Shipment) -> list[str]:
        if obj.status != Shipment.Status.PREPARING:
            return []
        return shipment_services.missing_documents(obj)


class ShipmentCreateSerializer(serializers.Serializer[Any]):
    order = serializers.IntegerField()
    carrier = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    tracking_no = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DocumentUploadSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=20)
    file = serializers.FileField()


class KindSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=20)


class FileSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=500, allow_blank=True)


class ShipmentViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Shipment]
):
    """Shipments of the orders in scope: documents checklist (SHP-1), dispatch, logistics, receipt (SHP-2)."""

    queryset = Shipment.objects.all()
    serializer_class = ShipmentSerializer
    filterset_fields = ["status", "order"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        return selectors.shipments_visible_to(self.request.user).prefetch_related("documents")  # type: ignore[arg-type]

    def get_permissions(self) -> list[Any]:
        if self.action in ("documents", "review", "dispatch_shipment", "receipt", "logistics"):
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def _answer(self, shipment: Shipment, code: int = status.HTTP_200_OK) -> Response:
        found = selectors.get_shipment_for(self.request.user, shipment.pk)  # type: ignore[arg-type]
        return Response(ShipmentSerializer(found).data, status=code)

    @extend_schema(request=ShipmentCreateSerializer, responses={201: ShipmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ShipmentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        shipment = shipment_services.shipment_create(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(shipment, status.HTTP_201_CREATED)

    @extend_schema(request=DocumentUploadSerializer, responses={201: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def documents(self, request: Request, pk: str | None = None) -> Response:
        incoming = DocumentUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        document = shipment_services.document_upload(actor=request.user, shipment=_pk(pk), **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(document.shipment, status.HTTP_201_CREATED)

    @extend_schema(request=KindSerializer, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        incoming = KindSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        document = shipment_services.document_review(actor=request.user, shipment=_pk(pk), **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(document.shipment)

    @extend_schema(request=None, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_shipment(self, request: Request, pk: str | None = None) -> Response:
        """Dispatch; without the reviewed documents checklist: 409 ``sales.documents_missing`` (SHP-1)."""
        return self._answer(shipment_services.shipment_dispatch(actor=request.user, shipment=_pk(pk)))  # type: ignore[arg-type]

    @extend_schema(request=FileSerializer, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def receipt(self, request: Request, pk: str | None = None) -> Response:
        incoming = FileSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._answer(
            shipment_services.receipt_upload(actor=request.user, shipment=_pk(pk), **incoming.validated_data)
        )  # type: ignore[arg-type]

    @extend_schema(request=NoteSerializer, responses={201: ShipmentSerializer})
    @action(detail=True, methods=["post"])
    def logistics(self, request: Request, pk: str | None = None) -> Response:
        incoming = NoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        entry = shipment_services.logistics_add(actor=request.user, shipment=_pk(pk), **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(entry.shipment, status.HTTP_201_CREATED)


def register_orders(router: BaseRouter) -> None:
    router.register("sales/stock", StockItemViewSet, basename="sales-stock")
    router.register("sales/deposits", DepositViewSet, basename="sales-deposit")
    router.register("sales/orders", OrderViewSet, basename="sales-order")
    router.register("sales/shipments", ShipmentViewSet, basename="sales-shipment")
