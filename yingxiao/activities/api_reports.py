"""API of ACT-2..5, CUS-12 and CUS-14: inquiries (intake for mail integrations, follow-up), key accounts,
return visits due and punctuality, visitor/call statistics. Scoped like the pages (``restrict``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin
from yingxiao.core.errors import PERMISSION_DENIED, BusinessError
from yingxiao.core.permissions import ModelActionPermission

from . import inquiries, key_accounts, return_visits, statistics
from .models import Inquiry, InquiryAssignment, KeyAccount
from .views_reports import parse_day, parse_id, parse_month


class ServicePermission(ModelActionPermission):
    """For POST actions whose service checks the verb itself (follow-up: the assignee; end: change in scope)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated)


class InquiryAssignmentSerializer(serializers.ModelSerializer[InquiryAssignment]):
    class Meta:
        model = InquiryAssignment
        fields = ["assigned_to", "assigned_by", "assigned_at", "reason", "candidates", "note"]
        read_only_fields = fields


class InquirySerializer(serializers.ModelSerializer[Inquiry]):
    assignments = InquiryAssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "received_at",
            "channel",
            "sender_name",
            "sender_email",
            "subject",
            "content",
            "external_id",
            "customer",
            "department",
            "assigned_to",
            "assigned_at",
            "status",
            "last_note",
            "followed_up_at",
            "assignments",
        ]
        read_only_fields = fields


class InquiryIntakeSerializer(serializers.Serializer[Any]):
    """What an e-mail intake integration posts; ``external_id`` (the Message-ID) makes it idempotent."""

    channel = serializers.CharField(max_length=20)
    subject = serializers.CharField(allow_blank=True, max_length=300)
    content = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    sender_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    sender_email = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    external_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    customer = serializers.IntegerField(required=False, allow_null=True, default=None)


class FollowUpSerializer(serializers.Serializer[Any]):
    status = serializers.CharField(max_length=20)
    note = serializers.CharField(allow_blank=True, max_length=2000)
    customer = serializers.IntegerField(required=False, allow_null=True, default=None)


class InquiryViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Inquiry]
):
    """Inbound inquiries (ACT-5): POST registers one and distributes it fairly; out of scope is 404."""

    queryset = Inquiry.objects.all()
    serializer_class = InquirySerializer

    def get_queryset(self) -> Any:
        return inquiries.inquiries_visible_to(self.request.user).prefetch_related("assignments")  # type: ignore[arg-type]

    @extend_schema(request=InquiryIntakeSerializer, responses={201: InquirySerializer, 200: InquirySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = InquiryIntakeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        inquiry, created = inquiries.inquiry_receive(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return Response(
            InquirySerializer(inquiry).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=FollowUpSerializer, responses={200: InquirySerializer})
    @action(detail=True, methods=["post"], url_path="follow-up", permission_classes=[ServicePermission])
    def follow_up(self, request: Request, pk: str | None = None) -> Response:
        incoming = FollowUpSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        inquiry = inquiries.inquiry_follow_up(actor=request.user, inquiry=parse_id(pk) or 0, **incoming.validated_data)  # type: ignore[arg-type]
        return Response(InquirySerializer(inquiry).data)


class KeyAccountSerializer(serializers.ModelSerializer[KeyAccount]):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = KeyAccount
        fields = ["id", "customer", "customer_name", "level", "is_active", "designated_by", "designated_at", "note"]
        read_only_fields = fields


class DesignateSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField()
    level = serializers.CharField(max_length=10)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class KeyAccountViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[KeyAccount]
):
    """Key and core accounts (CUS-14); ``compliance`` lists each with its management-visit due date."""

    queryset = KeyAccount.objects.all()
    serializer_class = KeyAccountSerializer

    def get_queryset(self) -> Any:
        return key_accounts.key_accounts_visible_to(self.request.user)  # type: ignore[arg-type]

    @extend_schema(request=DesignateSerializer, responses={201: KeyAccountSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = DesignateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        account = key_accounts.key_account_designate(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return Response(KeyAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: KeyAccountSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ServicePermission])
    def end(self, request: Request, pk: str | None = None) -> Response:
        account = key_accounts.key_account_end(actor=request.user, account=parse_id(pk) or 0)  # type: ignore[arg-type]
        return Response(KeyAccountSerializer(account).data)

    @action(detail=False, methods=["get"])
    def compliance(self, request: Request) -> Response:
        report = key_accounts.key_account_compliance(request.user)  # type: ignore[arg-type]
        return Response(
            {
                "total": report.total,
                "compliant": report.compliant,
                "percent": report.percent,
                "accounts": [
                    {"id": r.account.pk, "customer": r.account.customer_id, "due": r.due, "status": r.status}
                    for r in report.rows
                ],
            }
        )


def _need_activity_view(request: Request) -> None:
    if not request.user.has_perm("activities.view_activity"):
        raise BusinessError(PERMISSION_DENIED)


_MONTH = OpenApiParameter("month", str, description="YYYY-MM")
_DEPARTMENT = OpenApiParameter("department", int, description="department id (with its subtree)")


class ReturnVisitViewSet(viewsets.ViewSet):
    """Return visits (ACT-2/3): the overdue list and punctuality (回访及时率) with its records."""

    @extend_schema(parameters=[_DEPARTMENT], responses={200: dict})
    @action(detail=False, methods=["get"])
    def due(self, request: Request) -> Response:
        _need_activity_view(request)
        customers = return_visits.return_visits_due(
            request.user,  # type: ignore[arg-type]
            department_id=parse_id(request.query_params.get("department")),
        )[:500]
        rows = return_visits.due_rows(customers)
        return Response(
            [
                {
                    "customer": r.customer.pk,
                    "name": r.customer.name,
                    "owner": r.customer.owner_id,
                    "due": r.due,
                    "days_overdue": r.days_overdue,
                }
                for r in rows
            ]
        )

    @extend_schema(parameters=[_MONTH, _DEPARTMENT, OpenApiParameter("person", int)], responses={200: dict})
    @action(detail=False, methods=["get"])
    def punctuality(self, request: Request) -> Response:
        _need_activity_view(request)
        report = return_visits.return_visit_punctuality(
            request.user,  # type: ignore[arg-type]
            parse_month(request.query_params.get("month")),
            department_id=parse_id(request.query_params.get("department")),
            person_id=parse_id(request.query_params.get("person")),
        )

        def figure(row: return_visits.PunctualityRow) -> dict[str, Any]:
            return {
                "id": row.key,
                "name": row.label,
                "due": row.due,
                "on_time": row.on_time,
                "rate": row.rate,
                "meets_target": row.meets_target,
            }

        return Response(
            {
                "month": report.month.strftime("%Y-%m"),
                "target": report.target,
                "total": figure(report.total),
                "by_person": [figure(r) for r in report.by_person],
                "by_department": [figure(r) for r in report.by_department],
                "items": [
                    {
                        "customer": i.customer_id,
                        "owner": i.owner_id,
                        "department": i.department_id,
                        "due": i.due,
                        "visited_at": i.visited_at,
                        "status": i.status,
                    }
                    for i in report.items
                ],
            }
        )


def _stat(row: statistics.StatRow) -> dict[str, Any]:
    return {
        "day": row.day,
        "team": row.team_id,
        "team_name": row.team,
        "staff": row.staff_id,
        "staff_name": row.staff,
        "visits": row.visits,
        "inbound_calls": row.inbound_calls,
        "outbound_calls": row.outbound_calls,
        "letters": row.letters,
        "emails": row.emails,
        "inquiries": row.inquiries,
    }


class ActivityStatisticsViewSet(viewsets.ViewSet):
    """来人来电统计表 (ACT-4): daily per team and person, monthly per team."""

    @extend_schema(
        parameters=[OpenApiParameter("day", str, description="YYYY-MM-DD"), _DEPARTMENT], responses={200: dict}
    )
    @action(detail=False, methods=["get"])
    def daily(self, request: Request) -> Response:
        _need_activity_view(request)
        result = statistics.daily_statistics(
            request.user,  # type: ignore[arg-type]
            start=parse_day(request.query_params.get("day")),
            department_id=parse_id(request.query_params.get("department")),
        )
        return Response({"rows": [_stat(r) for r in result.rows], "total": _stat(result.total)})

    @extend_schema(parameters=[_MONTH, _DEPARTMENT], responses={200: dict})
    @action(detail=False, methods=["get"])
    def monthly(self, request: Request) -> Response:
        _need_activity_view(request)
        result = statistics.monthly_statistics(
            request.user,  # type: ignore[arg-type]
            month=parse_month(request.query_params.get("month")),
            department_id=parse_id(request.query_params.get("department")),
        )
        return Response({"rows": [_stat(r) for r in result.rows], "total": _stat(result.total)})


def register(router: BaseRouter) -> None:
    router.register("inquiries", InquiryViewSet)
    router.register("key-accounts", KeyAccountViewSet)
    router.register("return-visits", ReturnVisitViewSet, basename="return-visits")
    router.register("activity-statistics", ActivityStatisticsViewSet, basename="activity-statistics")
