"""Organisation API: departments, positions, roles, employees (read for all staff, write by permission).

The org chart is not customer data, so every logged-in employee may read it (as the org chart
page does); changes need the verb permission and go through ``org.services``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters, mixins, serializers, viewsets
from rest_framework.routers import BaseRouter

from yingxiao.core.permissions import StaffReadPermission

from . import services
from .models import Assignment, Department, Position, Role, User


class DepartmentSerializer(serializers.ModelSerializer[Department]):
    class Meta:
        model = Department
        fields = ["id", "name", "code", "kind", "parent", "path", "sort_order", "is_active"]
        read_only_fields = ["path", "is_active"]


class RoleSerializer(serializers.ModelSerializer[Role]):
    permissions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="codename")

    class Meta:
        model = Role
        fields = ["id", "code", "name", "data_scope", "permissions", "description"]


class PositionSerializer(serializers.ModelSerializer[Position]):
    holders = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = ["id", "title", "department", "role", "superior", "is_head", "sort_order", "is_active", "holders"]
        read_only_fields = ["is_active"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_holders(self, obj: Position) -> list[int]:
        """Ids of the employees currently holding the post (empty: vacant, 暂缺)."""
        return [a.user_id for a in getattr(obj, "current", [])]


class PositionMoveSerializer(PositionSerializer):
    """Changing a post moves it in the reporting line; the rest is fixed once opened."""

    class Meta(PositionSerializer.Meta):
        read_only_fields = ["title", "department", "role", "is_head", "sort_order", "is_active"]


class UserSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "employee_no", "phone", "email", "status", "absent_until"]
        read_only_fields = fields


class DepartmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The department tree (ORG-1). Creating and moving go through ``org.services``."""

    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    permission_classes = [StaffReadPermission]
    filterset_fields = ["parent", "kind", "is_active"]
    ordering_fields = ["path", "name"]

    def perform_create(self, serializer: DepartmentSerializer) -> None:  # type: ignore[override]
        serializer.instance = services.department_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: DepartmentSerializer) -> None:  # type: ignore[override]
        serializer.instance = services.department_update(
            actor=self.request.user, department=serializer.instance, **serializer.validated_data
        )


class RoleViewSet(viewsets.ReadOnlyModelViewSet):
    """Roles as data (ORG-5): permissions and data scope. Edited in the admin site."""

    queryset = Role.objects.prefetch_related("permissions")
    serializer_class = RoleSerializer
    permission_classes = [StaffReadPermission]


class PositionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Posts (ORG-2). Opening one and changing its superior go through ``org.services``."""

    queryset = Position.objects.select_related("department", "role").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.filter(ended_on__isnull=True), to_attr="current")
    )
    serializer_class = PositionSerializer
    permission_classes = [StaffReadPermission]
    filterset_fields = ["department", "role", "is_head"]

    def get_serializer_class(self) -> Any:
        if self.action in ("update", "partial_update"):
            return PositionMoveSerializer
        return PositionSerializer

    def perform_create(self, serializer: PositionSerializer) -> None:  # type: ignore[override]
        serializer.instance = services.position_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: PositionSerializer) -> None:  # type: ignore[override]
        position = serializer.instance
        assert position is not None
        superior = serializer.validated_data.get("superior", position.superior)
        serializer.instance = services.position_set_superior(
            actor=self.request.user, position=position, superior=superior
        )


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Employees: the directory every colleague may read (no scope: names are not customer data)."""

    queryset = User.objects.filter(is_active=True).order_by("pk")
    serializer_class = UserSerializer
    permission_classes = [StaffReadPermission]
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_fields = ["status"]
    search_fields = ["username", "display_name", "employee_no"]


def register(router: BaseRouter) -> None:
    router.register("departments", DepartmentViewSet)
    router.register("roles", RoleViewSet)
    router.register("positions", PositionViewSet)
    router.register("users", UserViewSet)
