"""Workforce API: /api/v1/attendance/ (HR-1/HR-2), /attendance-corrections/, /outings/ (HR-3),
/trips/ (HR-4, with /checkin/), /leaves/ (HR-5).

Reads are scoped by ``restrict`` (own / department / all); writes call the services, which
check the verb and validate. Choice fields are plain strings, validated by the services.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin
from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.org.models import User

from . import attendance, leave, trips
from .models import AttendanceCorrection, AttendanceRecord, Leave, Outing, Trip, TripCheckin


class AttendanceRecordSerializer(serializers.ModelSerializer[AttendanceRecord]):
    late_tier = serializers.CharField(read_only=True)
    early_tier = serializers.CharField(read_only=True)
    mark = serializers.CharField(read_only=True)

    class Meta:
        model = AttendanceRecord
        fields = [
            "id", "person", "department", "day", "is_workday", "clock_in", "clock_out", "late_minutes",
            "early_minutes", "late_tier", "early_tier", "mark", "corrected",
        ]  # fmt: skip
        read_only_fields = fields


class ClockSerializer(serializers.Serializer[Any]):
    """No input: the server's clock decides (HR-1)."""


class AttendanceViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[AttendanceRecord]
):
    """Attendance records in scope; ``POST clock-in`` / ``clock-out`` for the caller, now."""

    queryset = AttendanceRecord.objects.all()
    serializer_class = AttendanceRecordSerializer

    def get_queryset(self) -> Any:
        return self.queryset.all().restrict(self.request.user, "view")  # type: ignore[attr-defined]

    @extend_schema(request=ClockSerializer, responses={201: AttendanceRecordSerializer})
    @action(detail=False, methods=["post"], url_path="clock-in")
    def clock_in(self, request: Request) -> Response:
        record = attendance.attendance_clock_in(actor=request.user)  # type: ignore[arg-type]
        return Response(AttendanceRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClockSerializer, responses={200: AttendanceRecordSerializer})
    @action(detail=False, methods=["post"], url_path="clock-out")
    def clock_out(self, request: Request) -> Response:
        record = attendance.attendance_clock_out(actor=request.user)  # type: ignore[arg-type]
        return Response(AttendanceRecordSerializer(record).data)


class AttendanceCorrectionSerializer(serializers.ModelSerializer[AttendanceCorrection]):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = AttendanceCorrection
        fields = [
            "id", "person", "department", "day", "record", "original_clock_in", "original_clock_out", "clock_in",
            "clock_out", "reason", "status", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class AttendanceCorrectionCreateSerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    clock_in = serializers.DateTimeField(required=False, allow_null=True, default=None)
    clock_out = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=4000)


class _CreateViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Any],
):
    create_serializer: type[serializers.Serializer[Any]]

    def perform(self, user: User, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = self.create_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        obj = self.perform(request.user, dict(incoming.validated_data))  # type: ignore[arg-type]
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


@extend_schema(request=AttendanceCorrectionCreateSerializer)
class AttendanceCorrectionViewSet(_CreateViewSet):
    """rule: HR-2 — corrections go to the superior; the original times stay on the request."""

    queryset = AttendanceCorrection.objects.all()
    serializer_class = AttendanceCorrectionSerializer
    create_serializer = AttendanceCorrectionCreateSerializer

    def perform(self, user: User, data: dict[str, Any]) -> Any:
        return attendance.correction_request(actor=user, **data)


class OutingSerializer(serializers.ModelSerializer[Outing]):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Outing
        fields = ["id", "person", "department", "starts_at", "ends_at", "place", "reason", "status", "created_at"]
        read_only_fields = fields


class OutingCreateSerializer(serializers.Serializer[Any]):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=4000)


@extend_schema(request=OutingCreateSerializer)
class OutingViewSet(_CreateViewSet):
    """rule: HR-3 — outings registered for the superior's approval."""

    queryset = Outing.objects.all()
    serializer_class = OutingSerializer
    create_serializer = OutingCreateSerializer

    def perform(self, user: User, data: dict[str, Any]) -> Any:
        return trips.outing_register(actor=user, **data)


class TripCheckinSerializer(serializers.ModelSerializer[TripCheckin]):
    class Meta:
        model = TripCheckin
        fields = ["id", "trip", "person", "day", "at", "place", "note", "photo"]
        read_only_fields = fields


class TripSerializer(serializers.ModelSerializer[Trip]):
    status = serializers.CharField(read_only=True)
    checkins = TripCheckinSerializer(many=True, read_only=True)

    class Meta:
        model = Trip
        fields = [
            "id", "person", "department", "start_date", "end_date", "destination", "purpose", "status", "checkins",
        ]  # fmt: skip
        read_only_fields = fields


class TripCreateSerializer(serializers.Serializer[Any]):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    destination = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=4000)


class TripCheckinCreateSerializer(serializers.Serializer[Any]):
    place = serializers.CharField(max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    photo = serializers.FileField(required=False, allow_null=True, default=None)


@extend_schema(request=TripCreateSerializer)
class TripViewSet(_CreateViewSet):
    """rule: HR-4 — business trips; ``POST {id}/checkin/`` is the traveller's morning check-in."""

    queryset = Trip.objects.prefetch_related("checkins").all()
    serializer_class = TripSerializer
    create_serializer = TripCreateSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def perform(self, user: User, data: dict[str, Any]) -> Any:
        return trips.trip_register(actor=user, **data)

    @extend_schema(request=TripCheckinCreateSerializer, responses={201: TripCheckinSerializer})
    @action(detail=True, methods=["post"])
    def checkin(self, request: Request, pk: Any = None) -> Response:
        trip = self.get_object()
        incoming = TripCheckinCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        checkin = trips.trip_checkin(actor=request.user, trip=trip, **incoming.validated_data)  # type: ignore[arg-type]
        return Response(TripCheckinSerializer(checkin).data, status=status.HTTP_201_CREATED)


class LeaveSerializer(serializers.ModelSerializer[Leave]):
    kind = serializers.CharField(read_only=True)
    requested_kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Leave
        fields = [
            "id", "person", "department", "kind", "requested_kind", "start_date", "end_date", "days", "reason",
            "handover", "certificate", "status", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class LeaveCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=20)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    reason = serializers.CharField(max_length=4000)
    handover = serializers.IntegerField(required=False, allow_null=True, default=None)
    certificate = serializers.FileField(required=False, allow_null=True, default=None)


@extend_schema(request=LeaveCreateSerializer)
class LeaveViewSet(_CreateViewSet):
    """rule: HR-5 — leave requests, routed by days through the approvals engine."""

    queryset = Leave.objects.all()
    serializer_class = LeaveSerializer
    create_serializer = LeaveCreateSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def perform(self, user: User, data: dict[str, Any]) -> Any:
        handover_id = data.pop("handover")
        handover = None
        if handover_id is not None:
            handover = User.objects.filter(pk=handover_id).first()
            if handover is None:
                raise BusinessError(NOT_FOUND, field="handover")
        return leave.leave_request(actor=user, handover=handover, **data)


def register(router: BaseRouter) -> None:
    router.register("attendance", AttendanceViewSet)
    router.register("attendance-corrections", AttendanceCorrectionViewSet)
    router.register("outings", OutingViewSet)
    router.register("trips", TripViewSet)
    router.register("leaves", LeaveViewSet)
