"""Customer archive API under /api/v1/: customers and contacts — list, detail, create, update (no delete).

Every queryset is scoped to the caller (ORG-5), so an out-of-scope record is a 404. Writes go
through ``customers.services``; a duplicate (CUS-2) answers 409 with code ``customers.duplicate``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core import pagination
from yingxiao.core.permissions import METHOD_ACTIONS
from yingxiao.org.models import Department, User
from yingxiao.org.scope import scope_for

from . import allocation, blacklist, pool, selectors, services
from .filters import CustomerFilterSet
from .models import Allocation, BlacklistRecord, Contact, Customer, DuplicateAttempt, PoolEntry

_CUSTOMER_FIELDS = [
    "id",
    "name",
    "kind",
    "industry",
    "region",
    "address",
    "phone",
    "email",
    "source",
    "heard_from",
    "previous_brand",
    "grade",
    "stage",
    "intent",
    "credit",
    "is_blacklisted",
    "owner",
    "owner_name",
    "department",
    "department_name",
    "registered_at",
    "last_served_at",
]
_READ_ONLY = ["is_blacklisted", "department", "registered_at", "last_served_at"]


class ContactInlineSerializer(serializers.ModelSerializer[Contact]):
    class Meta:
        model = Contact
        fields = ["id", "name", "title", "phone", "email", "birthday", "is_primary", "notes"]


class CustomerListSerializer(serializers.ModelSerializer[Customer]):
    """A list row: no contacts and no long text, so a page is one query."""

    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    owner_name = serializers.StringRelatedField(source="owner")
    department_name = serializers.StringRelatedField(source="department")

    class Meta:
        model = Customer
        fields = _CUSTOMER_FIELDS
        read_only_fields = _READ_ONLY


_DATETIME = serializers.DateTimeField()


class CustomerRowSerializer(CustomerListSerializer):
    """The list row from a ``selectors.customer_list_values`` dict: same output, no per-field machinery.

    Declares the list serializer's fields (for the schema); writes nothing.
    """

    def to_representation(self, instance: Any) -> dict[str, Any]:
        row = instance
        out = {name: row[name] for name in _ROW_PLAIN}
        out["owner"] = row["owner_id"]
        out["owner_name"] = row["owner_name"]
        out["department"] = row["department_id"]
        out["department_name"] = row["department_name"]
        registered, served = row["registered_at"], row["last_served_at"]
        out["registered_at"] = _DATETIME.to_representation(registered) if registered is not None else None
        out["last_served_at"] = _DATETIME.to_representation(served) if served is not None else None
        return {name: out[name] for name in _CUSTOMER_FIELDS}


_ROW_PLAIN = [
    name
    for name in _CUSTOMER_FIELDS
    if name not in ("owner", "owner_name", "department", "department_name", "registered_at", "last_served_at")
]


class DuplicateQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, trim_whitespace=False)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40, trim_whitespace=False)
    email = serializers.CharField(required=False, allow_blank=True, max_length=200, trim_whitespace=False)
    exclude = serializers.IntegerField(required=False, min_value=1)


class DuplicateHitSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One registered customer the values collide with (CUS-2), masked to the caller's scope."""

    kind = serializers.CharField()
    visible = serializers.BooleanField()
    customer = serializers.IntegerField(allow_null=True, help_text="Only when the caller may see the customer.")
    customer_name = serializers.CharField()
    value = serializers.CharField()
    owner_name = serializers.CharField()
    department_name = serializers.CharField()
    message = serializers.CharField()


class CustomerSerializer(CustomerListSerializer):
    """Detail, create and update; contacts may be given on create and are listed on read."""

    contacts = ContactInlineSerializer(many=True, required=False)

    class Meta:
        model = Customer
        fields = [*_CUSTOMER_FIELDS, "needs", "registered_by", "contacts"]
        read_only_fields = [*_READ_ONLY, "registered_by"]

    def validate_contacts(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.instance is not None and value:
            raise serializers.ValidationError("Contacts are added through /contacts/.")
        return value


class ContactSerializer(serializers.ModelSerializer[Contact]):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())

    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "title", "phone", "email", "birthday", "is_primary", "notes", "created_at"]
        read_only_fields = ["created_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        customer_field = fields["customer"]
        if self.instance is not None:
            customer_field.read_only = True
        elif request is not None:
            # Only customers the caller may change: an out-of-scope id looks exactly like a missing one.
            customer_field.queryset = Customer.objects.restrict(request.user, "change")  # type: ignore[attr-defined]
        return fields


_PLAIN_LIST_PARAMS = {"q", "page", "page_size", "format"}
_Q_MAX = 100  # the filterset's limit: a longer term goes through it and is refused there


class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Customers (CUS-1) scoped to the caller (ORG-5); filters shared with the web list."""

    queryset = Customer.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_class = CustomerFilterSet
    count_cap: int | None = None  # read by FastPageNumberPagination
    known_count: tuple[int, bool] | None = None

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return CustomerRowSerializer if self.action == "list" else CustomerSerializer

    def get_queryset(self) -> QuerySet[Customer]:
        action = METHOD_ACTIONS.get(self.request.method or "GET", "view")
        if self.action == "list":
            return selectors.customer_list_values(self.request.user, action)
        queryset = selectors.customer_queryset(self.request.user, "view" if action == "add" else action)
        return queryset.defer(None).prefetch_related("contacts")

    def filter_queryset(self, queryset: QuerySet[Customer]) -> QuerySet[Customer]:
        """The list: a search alone skips the filterset (its form costs more than the query) and gets
        the plan chosen for its term; searched lists count at most ``SEARCH_COUNT_CAP`` matches."""
        if self.action != "list":
            return super().filter_queryset(queryset)
        params = self.request.query_params
        q = params.get("q", "")
        if q.strip():
            self.count_cap = selectors.SEARCH_COUNT_CAP
        if set(params) <= _PLAIN_LIST_PARAMS and len(q) <= _Q_MAX:
            if not q.strip():
                return queryset
            queryset, self.known_count = selectors.customer_search(
                queryset, q, scope_level=scope_for(self.request.user).level, count_in_rows=self._shallow_page()
            )
            return queryset
        return super().filter_queryset(queryset)

    def _shallow_page(self) -> bool:
        """Whether the requested page is read in one query (above ``pagination.DEEP_OFFSET``)."""
        paginator = self.paginator
        try:
            number = int(self.request.query_params.get("page") or 1)
        except ValueError:
            return False
        size = paginator.get_page_size(self.request) if paginator is not None else None
        return bool(size) and number > 0 and (number - 1) * size < pagination.DEEP_OFFSET

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """As DRF's, except that a page whose rows carry the match count needs no count query."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(self.get_serializer(queryset, many=True).data)
        if selectors.MATCH_COUNT in queryset.query.annotations:
            total = page[0][selectors.MATCH_COUNT] if page else 0
            cap = self.count_cap or pagination.COUNT_CAP
            self.paginator.page.paginator.known_count = (min(total, cap), total <= cap)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        parameters=[DuplicateQuerySerializer],
        responses=inline_serializer("DuplicateCheck", {"duplicates": DuplicateHitSerializer(many=True)}),
    )
    @action(detail=False, methods=["get"], url_path="check-duplicates", filter_backends=[], pagination_class=None)
    def check_duplicates(self, request: Request) -> Response:
        """Who already registered this phone, name or e-mail (CUS-2), masked to the caller's scope; writes nothing."""
        query = DuplicateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        hits = services.customer_check_duplicates(
            actor=request.user,
            name=data.get("name", ""),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            exclude=data.get("exclude"),
        )
        return Response(
            {
                "duplicates": [
                    {
                        "kind": hit.kind,
                        "visible": hit.visible,
                        "customer": hit.customer_id if hit.visible else None,
                        "customer_name": hit.customer_name,
                        "value": hit.value,
                        "owner_name": hit.owner_name,
                        "department_name": hit.department_name,
                        "message": str(hit.message),
                    }
                    for hit in hits
                ]
            }
        )

    def perform_create(self, serializer: CustomerSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        contacts = data.pop("contacts", [])
        customer = services.customer_create(
            actor=self.request.user, data=data, contacts=contacts, channel=DuplicateAttempt.Channel.API
        )
        if not contacts:  # nothing to read back: the response lists no contacts without asking
            customer._prefetched_objects_cache = {"contacts": Contact.objects.none()}
        serializer.instance = customer

    def perform_update(self, serializer: CustomerSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        data.pop("contacts", None)
        customer = services.customer_update(
            actor=self.request.user, customer=serializer.instance, data=data, channel=DuplicateAttempt.Channel.API
        )
        serializer.instance = selectors.get_customer_for(self.request.user, customer.pk)


class ContactFilterSet(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id")

    class Meta:
        model = Contact
        fields = ["customer"]


class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Contact persons of the caller's customers; their phones and e-mails are CUS-2 identity keys."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ContactFilterSet

    def get_queryset(self) -> QuerySet[Contact]:
        action = METHOD_ACTIONS.get(self.request.method or "GET", "view")
        return Contact.objects.restrict(self.request.user, "view" if action == "add" else action).order_by("pk")

    def perform_create(self, serializer: ContactSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        serializer.instance = services.contact_add(
            actor=self.request.user, customer=customer, data=data, channel=DuplicateAttempt.Channel.API
        )

    def perform_update(self, serializer: ContactSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        data.pop("customer", None)
        serializer.instance = services.contact_update(
            actor=self.request.user, contact=serializer.instance, data=data, channel=DuplicateAttempt.Channel.API
        )


def register(router: BaseRouter) -> None:
    router.register("customers", CustomerViewSet, basename="customer")
    router.register("contacts", ContactViewSet, basename="contact")
    register_pool(router)


# --- public pool (CUS-7), allocation (CUS-6), blacklist requests (CUS-3) -------------------
class PoolEntrySerializer(serializers.ModelSerializer[PoolEntry]):
    """One customer in the public pool: since when, why (rule, explanation), previous owner."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    region = serializers.CharField(source="customer.region", read_only=True)
    industry = serializers.CharField(source="customer.industry", read_only=True)
    is_blacklisted = serializers.BooleanField(source="customer.is_blacklisted", read_only=True)
    released_owner_name = serializers.StringRelatedField(source="released_owner")
    released_department_name = serializers.StringRelatedField(source="released_department")
    explanation = serializers.CharField(source="explained", read_only=True)
    inputs = serializers.DictField(source="facts", read_only=True)

    class Meta:
        model = PoolEntry
        fields = [
            "id",
            "customer",
            "customer_name",
            "region",
            "industry",
            "is_blacklisted",
            "entered_at",
            "reason",
            "rule_id",
            "explanation",
            "inputs",
            "released_owner",
            "released_owner_name",
            "released_department",
            "released_department_name",
        ]
        read_only_fields = fields


class ClaimSerializer(serializers.Serializer):  # type: ignore[type-arg]
    customer = serializers.IntegerField(min_value=1)


class ReassignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    customers = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=5000)
    to_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    to_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    reason = serializers.CharField(max_length=300)


class PoolViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The public pool (公海, CUS-7): list; ``claim`` one customer; ``reassign`` (customer-resource director)."""

    serializer_class = PoolEntrySerializer
    queryset = PoolEntry.objects.none()
    permission_classes = [IsAuthenticated]  # the pool services decide (claim / reassign permissions)

    def get_queryset(self) -> QuerySet[PoolEntry]:
        params = self.request.query_params
        return pool.pool_entries(
            self.request.user,
            q=params.get("q", ""),
            region=params.get("region", ""),
            industry=params.get("industry", ""),
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not pool.can_see_pool(request.user):
            raise PermissionDenied
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ClaimSerializer, responses=CustomerSerializer)
    @action(detail=False, methods=["post"])
    def claim(self, request: Request) -> Response:
        data = ClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The claimer now owns the customer (ORG-5: in their scope); the service read it back already.
        customer = pool.customer_claim(actor=request.user, customer=data.validated_data["customer"])
        return Response(CustomerSerializer(customer).data)

    @extend_schema(
        request=ReassignSerializer,
        responses={200: inline_serializer("Reassigned", {"changed": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"])
    def reassign(self, request: Request) -> Response:
        data = ReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changed = pool.customer_reassign(
            actor=request.user,
            customers=data.validated_data["customers"],
            to_user=data.validated_data.get("to_user"),
            to_department=data.validated_data.get("to_department"),
            reason=data.validated_data["reason"],
        )
        return Response({"changed": changed})


class AllocationSerializer(serializers.ModelSerializer[Allocation]):
    """An allocation (CUS-6): ``customers`` and ``staff`` ids in; the lines out."""

    customers = serializers.ListField(
        child=serializers.IntegerField(min_value=1), write_only=True, min_length=1, max_length=20000
    )
    staff = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True, write_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Allocation
        fields = [
            "id",
            "created_by",
            "created_at",
            "note",
            "customer_count",
            "staff_count",
            "customers",
            "staff",
            "lines",
        ]
        read_only_fields = ["created_by", "created_at", "customer_count", "staff_count"]

    def get_lines(self, obj: Allocation) -> list[dict[str, int]]:
        return [
            {"customer": line.customer_id, "staff": line.staff_id, "position": line.position}
            for line in obj.lines.order_by("position")
        ]


class AllocationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Allocations of unowned customers among staff (CUS-6); creating one runs ``allocation_run``."""

    serializer_class = AllocationSerializer
    queryset = Allocation.objects.all()
    permission_classes = [IsAuthenticated]  # allocation_run checks customers.allocate_customer

    def get_queryset(self) -> QuerySet[Allocation]:
        user = self.request.user
        if not allocation.can_allocate(user):
            return Allocation.objects.none()
        records = Allocation.objects.all() if scope_for(user).is_all else Allocation.objects.filter(created_by=user)
        return records.order_by("-created_at", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = allocation.allocation_run(
            actor=request.user,
            customers=serializer.validated_data["customers"],
            staff=serializer.validated_data["staff"],
            note=serializer.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(record).data, status=201)


class BlacklistRecordSerializer(serializers.ModelSerializer[BlacklistRecord]):
    """A blacklist request (CUS-3): customer and reason in; status, approval and approver out."""

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    decided_by_name = serializers.StringRelatedField(source="decided_by")

    class Meta:
        model = BlacklistRecord
        fields = [
            "id",
            "customer",
            "reason",
            "requested_by",
            "requested_at",
            "approval",
            "status",
            "decided_by",
            "decided_by_name",
            "decided_at",
        ]
        read_only_fields = ["requested_by", "requested_at", "approval", "status", "decided_by", "decided_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["customer"].queryset = Customer.objects.restrict(request.user, "view")  # type: ignore[attr-defined]
        return fields


class BlacklistRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Blacklist requests of the caller's customers; creating one starts a ``blacklist`` approval."""

    serializer_class = BlacklistRecordSerializer
    queryset = BlacklistRecord.objects.all()
    permission_classes = [IsAuthenticated]  # the request service checks the customer permission

    def get_queryset(self) -> QuerySet[BlacklistRecord]:
        visible = Customer.objects.restrict(self.request.user, "view").values("pk")
        return (
            BlacklistRecord.objects.filter(customer__in=visible)
            .select_related("decided_by")
            .order_by("-requested_at", "-id")
        )

    def perform_create(self, serializer: BlacklistRecordSerializer) -> None:  # type: ignore[override]
        serializer.instance = blacklist.customer_blacklist_request(
            actor=self.request.user,
            customer=serializer.validated_data["customer"],
            reason=serializer.validated_data["reason"],
        )


def register_pool(router: BaseRouter) -> None:
    router.register("pool", PoolViewSet, basename="pool")
    router.register("allocations", AllocationViewSet, basename="allocation")
    router.register("blacklist-requests", BlacklistRequestViewSet, basename="blacklist-request")
