"""Organisation API: departments, positions, roles, employees (read for all staff, write by permission)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin

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

    def get_holders(self, obj: Position) -> list[int]:
        return [a.user_id for a in getattr(obj, "current", [])]


class UserSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "employee_no", "phone", "email", "status", "absent_until"]
        read_only_fields = fields


class DepartmentViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The department tree (ORG-1). Creating and moving go through ``org.services``."""

    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_fields = ["parent", "kind", "is_active"]
    ordering_fields = ["path", "name"]

    def get_queryset(self) -> Any:
        return Department.objects.all()

    def perform_create(self, serializer: DepartmentSerializer) -> None:
        serializer.instance = services.department_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: DepartmentSerializer) -> None:
        serializer.instance = services.department_update(
            actor=self.request.user, department=serializer.instance, **serializer.validated_data
        )


class RoleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Role.objects.prefetch_related("permissions")
    serializer_class = RoleSerializer


class PositionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Position.objects.select_related("department", "role").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.filter(ended_on__isnull=True), to_attr="current")
    )
    serializer_class = PositionSerializer
    filterset_fields = ["department", "role", "is_head"]


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Employees: the directory every colleague may read (no scope: names are not customer data)."""

    queryset = User.objects.filter(is_active=True).order_by("pk")
    serializer_class = UserSerializer
    filterset_fields = ["status"]
    search_fields = ["username", "display_name", "employee_no"]


def register(router: BaseRouter) -> None:
    router.register("departments", DepartmentViewSet)
    router.register("roles", RoleViewSet)
    router.register("positions", PositionViewSet)
    router.register("users", UserViewSet)
