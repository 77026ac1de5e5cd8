"""Policy API under /api/v1/policy/: every employee reads the policy; changes go through ``policy_change``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.errors import NOT_FOUND, BusinessError

from . import selectors, services
from .models import PolicyValue
from .selectors import ParameterView


class PolicyValueSerializer(serializers.ModelSerializer[PolicyValue]):
    changed_by = serializers.StringRelatedField()

    class Meta:
        model = PolicyValue
        fields = ["id", "value", "previous_value", "effective_from", "changed_by", "changed_at", "reason"]


class ParameterSerializer(serializers.Serializer[ParameterView]):
    name = serializers.CharField(source="parameter.name")
    rule_id = serializers.CharField(source="parameter.rule_id")
    section = serializers.CharField(source="parameter.section")
    kind = serializers.CharField(source="parameter.kind")
    unit = serializers.CharField(source="parameter.unit")
    unit_label = serializers.CharField()
    description = serializers.CharField(source="parameter.description")
    default = serializers.JSONField(source="parameter.default")
    value = serializers.JSONField()
    value_display = serializers.CharField()
    in_force_since = serializers.DateTimeField(allow_null=True)


class ParameterDetailSerializer(ParameterSerializer):
    scheduled = PolicyValueSerializer(many=True)
    history = PolicyValueSerializer(many=True)


class PolicyChangeSerializer(serializers.Serializer[Any]):
    value = serializers.JSONField(help_text='new value: 60, "18:00", "200..1500", ["visit", "call"] …')
    effective_from = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=500)


class PolicyParameterViewSet(viewsets.ViewSet):
    """The policy parameters with the values in force, their history, and versioned changes."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "name"
    lookup_value_regex = "[a-z0-9_]+"

    @extend_schema(responses=ParameterSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(ParameterSerializer(selectors.policy_parameters(), many=True).data)

    @extend_schema(responses=ParameterDetailSerializer)
    def retrieve(self, request: Request, name: str) -> Response:
        view = selectors.policy_parameter(name)
        if view is None:
            raise BusinessError(NOT_FOUND)
        return Response(ParameterDetailSerializer(view).data)

    @extend_schema(request=PolicyChangeSerializer, responses={201: PolicyValueSerializer})
    @action(detail=True, methods=["post"])
    def change(self, request: Request, name: str) -> Response:
        data = PolicyChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.policy_change(
            actor=request.user,  # type: ignore[arg-type]
            name=name,
            value=data.validated_data["value"],
            effective_from=data.validated_data.get("effective_from"),
            reason=data.validated_data["reason"],
        )
        return Response(PolicyValueSerializer(version).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    router.register("policy/parameters", PolicyParameterViewSet, basename="policy-parameter")
