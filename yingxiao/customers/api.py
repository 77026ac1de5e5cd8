"""Customer archive API under /api/v1/: customers and contacts — list, detail, create, update (no delete).

Every queryset is scoped to the caller (ORG-5), so an out-of-scope record is a 404. Writes go
through ``customers.services``; a duplicate (CUS-2) answers 409 with code ``customers.duplicate``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import BaseRouter

from yingxiao.core.permissions import METHOD_ACTIONS
from yingxiao.org.models import User

from . import selectors, services
from .filters import CustomerFilterSet
from .models import Contact, Customer, DuplicateAttempt

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

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return CustomerListSerializer if self.action == "list" else CustomerSerializer

    def get_queryset(self) -> QuerySet[Customer]:
        action = METHOD_ACTIONS.get(self.request.method or "GET", "view")
        queryset = selectors.customer_queryset(self.request.user, "view" if action == "add" else action)
        if self.action != "list":
            queryset = queryset.defer(None).prefetch_related("contacts")
        return queryset

    def perform_create(self, serializer: CustomerSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        contacts = data.pop("contacts", [])
        serializer.instance = services.customer_create(
            actor=self.request.user, data=data, contacts=contacts, channel=DuplicateAttempt.Channel.API
        )

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
