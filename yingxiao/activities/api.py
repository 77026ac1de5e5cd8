"""Contact log API at /api/v1/activities/: list, detail, create (through ``activity_log``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin

from . import services
from .filters import ActivityFilterSet
from .models import Activity
from .selectors import activities_visible_to


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    staff_name = serializers.CharField(source="staff.__str__", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "customer",
            "customer_name",
            "contact",
            "staff",
            "staff_name",
            "kind",
            "kind_display",
            "direction",
            "occurred_at",
            "subject",
            "location",
            "purpose",
            "summary",
            "result",
            "duration_minutes",
            "is_qualifying",
            "is_return_visit",
            "return_visit_counts",
            "sms_streak",
            "routed_to",
            "caller_name",
            "caller_contact",
            "created_at",
        ]
        read_only_fields = fields


class ActivityCreateSerializer(serializers.Serializer[Any]):
    """What a caller sends; ids are resolved and every rule checked by ``activity_log``.

    ``customer`` is a plain id on purpose: resolving it here would answer "invalid pk" for a
    customer outside the caller's scope and so reveal that it exists; the service answers 404.
    """

    customer = serializers.IntegerField()
    contact = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.CharField(max_length=20)
    direction = serializers.CharField(max_length=3, required=False, default=Activity.Direction.OUTBOUND)
    occurred_at = serializers.DateTimeField()
    subject = serializers.CharField(allow_blank=True, trim_whitespace=False)
    location = serializers.CharField(required=False, allow_blank=True, default="")
    purpose = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    result = serializers.CharField(required=False, allow_blank=True, default="")
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, default=None)
    caller_name = serializers.CharField(required=False, allow_blank=True, default="")
    caller_contact = serializers.CharField(required=False, allow_blank=True, default="")
    is_return_visit = serializers.BooleanField(required=False, default=False)


class ActivityViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Activity]
):
    """Contacts with customers (ACT-1), scoped to the caller: out-of-scope ones are 404."""

    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    ordering_fields = ["occurred_at", "created_at"]

    def get_queryset(self) -> Any:
        return activities_visible_to(self.request.user)  # type: ignore[arg-type]  # authenticated: see permissions

    @extend_schema(request=ActivityCreateSerializer, responses={201: ActivitySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ActivityCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        activity = services.activity_log(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    from .api_reports import register as register_reports

    router.register("activities", ActivityViewSet)
    register_reports(router)
