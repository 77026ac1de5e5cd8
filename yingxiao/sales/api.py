"""Sales API at /api/v1/sales/…: products, price lists, quotes (with actions), non-standard requests.

Reads are scoped (ORG-5); costs and drawings are left out for callers without
``sales.view_confidential_price`` (QUO-4); every write goes through a service.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin

from . import selectors, services
from .models import PriceList, PriceListItem, Product, Quote, QuoteLine, QuoteRequest, QuoteRevision

# rule: QUO-4 — fields that only holders of sales.view_confidential_price receive.
CONFIDENTIAL_FIELDS = ("cost", "drawing")


class ConfidentialFieldsMixin:
    """Drop the confidential fields for callers who may not see them (QUO-4)."""

    context: dict[str, Any]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()  # type: ignore[misc]
        request = self.context.get("request")
        if request is None or not selectors.sees_confidential(request.user):
            for name in CONFIDENTIAL_FIELDS:
                fields.pop(name, None)
        return fields


class ProductSerializer(ConfidentialFieldsMixin, serializers.ModelSerializer[Product]):
    class Meta:
        model = Product
        fields = ["id", "code", "name", "model", "unit", "category", "drawing", "is_active"]
        read_only_fields = fields


class PriceListItemSerializer(ConfidentialFieldsMixin, serializers.ModelSerializer[PriceListItem]):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = PriceListItem
        fields = ["id", "product", "product_code", "list_price", "cost"]
        read_only_fields = fields


class PriceListSerializer(serializers.ModelSerializer[PriceList]):
    items = serializers.SerializerMethodField()

    class Meta:
        model = PriceList
        fields = ["id", "name", "effective_from", "currency", "note", "items"]
        read_only_fields = fields

    @extend_schema(responses=PriceListItemSerializer(many=True))
    def get_items(self, obj: PriceList) -> list[dict[str, Any]]:
        items = sorted(obj.items.all(), key=lambda item: item.product.code)  # prefetched: no query per list
        return PriceListItemSerializer(items, many=True, context=self.context).data  # type: ignore[return-value]


class QuoteLineSerializer(serializers.ModelSerializer[QuoteLine]):
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = QuoteLine
        fields = [
            "id", "product", "product_code", "product_name", "description", "quantity", "list_price",
            "discount_pct", "unit_price", "amount",
        ]  # fmt: skip
        read_only_fields = fields


# Status codes as plain strings (with a *_display label): no schema enum to collide with other apps' "status".
class QuoteRevisionSerializer(serializers.ModelSerializer[QuoteRevision]):
    status = serializers.CharField(read_only=True)
    lines = QuoteLineSerializer(many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    has_pdf = serializers.SerializerMethodField()

    class Meta:
        model = QuoteRevision
        fields = [
            "version", "status", "status_display", "note", "valid_until", "list_total", "total",
            "max_discount_pct", "approved_discount_pct", "reviewed", "created_at", "sent_at", "has_pdf", "lines",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_pdf(self, obj: QuoteRevision) -> bool:
        return bool(obj.pdf)


class QuoteSerializer(serializers.ModelSerializer[Quote]):
    status = serializers.CharField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id", "number", "customer", "customer_name", "owner", "owner_name", "department", "currency",
            "is_international", "version", "status", "status_display", "total", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class QuoteDetailSerializer(QuoteSerializer):
    revisions = serializers.SerializerMethodField()

    class Meta(QuoteSerializer.Meta):
        fields = [*QuoteSerializer.Meta.fields, "revisions"]
        read_only_fields = fields

    @extend_schema(responses=QuoteRevisionSerializer(many=True))
    def get_revisions(self, obj: Quote) -> list[dict[str, Any]]:
        return QuoteRevisionSerializer(selectors.revisions_of(obj), many=True).data  # type: ignore[return-value]


class QuoteLineInputSerializer(serializers.Serializer[Any]):
    """A line as sent; ``quantity`` and ``discount_pct`` are decimals (strings or numbers), checked by the service."""

    product = serializers.IntegerField()
    quantity = serializers.CharField(max_length=20)
    discount_pct = serializers.CharField(max_length=10, required=False, allow_blank=True, default="0")
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class QuoteCreateSerializer(serializers.Serializer[Any]):
    """``customer`` is a plain id: the service answers 404 for one outside the caller's scope."""

    customer = serializers.IntegerField()
    currency = serializers.CharField(max_length=3, required=False, default="CNY")
    is_international = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    lines = QuoteLineInputSerializer(many=True, required=False, default=list)


class QuoteViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Quote]
):
    """Quotes, scoped: a rep sees their own customers' quotes, a head the department, the director all."""

    queryset = Quote.objects.all()
    serializer_class = QuoteSerializer
    filterset_fields = ["status", "customer", "owner", "is_international"]
    ordering_fields = ["created_at", "total"]

    def get_queryset(self) -> Any:
        return selectors.quotes_visible_to(self.request.user)  # type: ignore[arg-type]

    def get_serializer_class(self) -> Any:
        return QuoteDetailSerializer if self.action != "list" else QuoteSerializer

    def get_permissions(self) -> list[Any]:
        if self.action in ("submit", "send", "revise", "add_line"):
            return [permissions.IsAuthenticated()]  # the services check sales.change_quote and the scope
        return super().get_permissions()

    def _answer(self, quote: Quote, code: int = status.HTTP_200_OK) -> Response:
        quote = selectors.get_quote_for(self.request.user, quote.pk)  # type: ignore[arg-type]
        return Response(QuoteDetailSerializer(quote, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=QuoteCreateSerializer, responses={201: QuoteDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = QuoteCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        quote = services.quote_create(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(quote, status.HTTP_201_CREATED)

    @extend_schema(request=QuoteLineInputSerializer, responses={201: QuoteDetailSerializer})
    @action(detail=True, methods=["post"], url_path="lines")
    def add_line(self, request: Request, pk: str | None = None) -> Response:
        incoming = QuoteLineInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        line = services.quote_line_add(actor=request.user, quote=_pk(pk), **incoming.validated_data)  # type: ignore[arg-type]
        return self._answer(line.revision.quote, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=QuoteDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit the draft: discount approval by tier (QUO-2), market review (QUO-3), or ready."""
        return self._answer(services.quote_submit(actor=request.user, quote=_pk(pk)))  # type: ignore[arg-type]

    @extend_schema(request=None, responses=QuoteDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        """Send the ready revision; it is archived as a PDF and frozen."""
        return self._answer(services.quote_send(actor=request.user, quote=_pk(pk)))  # type: ignore[arg-type]

    @extend_schema(request=None, responses={201: QuoteDetailSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str | None = None) -> Response:
        """A new draft revision; the current one is kept unchanged."""
        revision = services.quote_revise(actor=request.user, quote=_pk(pk))  # type: ignore[arg-type]
        return self._answer(revision.quote, status.HTTP_201_CREATED)


def _pk(value: Any) -> int:
    from django.http import Http404

    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


class ProductViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Product]
):
    """The product catalog (read-only here; managed on the price-list pages)."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_fields = ["category", "is_active"]


class PriceListViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[PriceList]
):
    """Price list versions with their items (costs only for permitted roles, QUO-4)."""

    queryset = PriceList.objects.all()
    serializer_class = PriceListSerializer
    filterset_fields = ["currency"]

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("items__product")


class QuoteRequestSerializer(serializers.ModelSerializer[QuoteRequest]):
    status = serializers.CharField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    assignee_name = serializers.CharField(source="assignee.__str__", read_only=True)

    class Meta:
        model = QuoteRequest
        fields = [
            "id", "customer", "customer_name", "product", "quantity", "configuration", "requested_by",
            "assignee", "assignee_name", "requested_at", "due_at", "status", "answered_at", "unit_price",
            "answer_note", "quote",
        ]  # fmt: skip
        read_only_fields = fields


class QuoteRequestCreateSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField()
    product = serializers.IntegerField()
    quantity = serializers.CharField(max_length=20)
    configuration = serializers.CharField(max_length=4000, allow_blank=True)


class QuoteAnswerSerializer(serializers.Serializer[Any]):
    unit_price = serializers.CharField(max_length=20)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class QuoteRequestViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[QuoteRequest]
):
    """Non-standard quote requests (QUO-1): the rep's, the department's, and those assigned to the caller."""

    queryset = QuoteRequest.objects.all()
    serializer_class = QuoteRequestSerializer
    filterset_fields = ["status", "assignee", "customer"]
    ordering_fields = ["due_at", "requested_at"]

    def get_queryset(self) -> Any:
        return selectors.requests_visible_to(self.request.user)  # type: ignore[arg-type]

    def get_permissions(self) -> list[Any]:
        if self.action == "answer":
            return [permissions.IsAuthenticated()]  # the service checks sales.answer_quoterequest
        return super().get_permissions()

    @extend_schema(request=QuoteRequestCreateSerializer, responses={201: QuoteRequestSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = QuoteRequestCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        created = services.quote_request_create(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return Response(QuoteRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=QuoteAnswerSerializer, responses=QuoteRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        incoming = QuoteAnswerSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        answered = services.quote_request_answer(actor=request.user, request=_pk(pk), **incoming.validated_data)  # type: ignore[arg-type]
        return Response(QuoteRequestSerializer(answered).data)


def register(router: BaseRouter) -> None:
    from .api_orders import register_orders

    register_orders(router)
    router.register("sales/quotes", QuoteViewSet, basename="sales-quote")
    router.register("sales/products", ProductViewSet, basename="sales-product")
    router.register("sales/price-lists", PriceListViewSet, basename="sales-price-list")
    router.register("sales/quote-requests", QuoteRequestViewSet, basename="sales-quote-request")

    # Contracts and money (CON-1…8, ORD-2).
    from .api_money import register_money

    register_money(router)
