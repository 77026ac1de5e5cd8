"""Workforce API: /api/v1/attendance/ (HR-1/HR-2), /attendance-corrections/, /outings/ (HR-3),
/trips/ (HR-4, with /checkin/), /leaves/ (HR-5), /duty/ (HR-10), /meetings/ (HR-6),
/work-reports/ (HR-7, HR-8).

Reads are scoped by ``restrict`` (own / department / all); writes call the services, which
check the verb and validate. Choice fields are plain strings, validated by the services.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin
from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.org.models import User

from . import attendance, errors, leave, leave_balances, meetings, reports, roster, selectors, trips
from .models import (
    AttendanceCorrection,
    AttendanceRecord,
    DutyAssignment,
    DutyPost,
    Leave,
    Meeting,
    MeetingAttendance,
    Outing,
    Trip,
    TripCheckin,
    WorkReport,
)


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


class LeaveBalanceSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(source="person.pk")
    person_name = serializers.CharField(source="person.__str__")
    year = serializers.IntegerField()
    entitled = serializers.DecimalField(max_digits=5, decimal_places=1)
    has_entitlement = serializers.BooleanField()
    taken = serializers.DecimalField(max_digits=5, decimal_places=1)
    pending = serializers.DecimalField(max_digits=5, decimal_places=1)
    remaining = serializers.DecimalField(max_digits=6, decimal_places=1)
    other = serializers.SerializerMethodField()

    def get_other(self, row: dict[str, Any]) -> dict[str, str]:
        """Approved days of every other kind of leave in the year, by kind."""
        return {str(kind): str(days) for kind, days in row["other"]}


class EntitlementSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField()
    year = serializers.IntegerField()
    days = serializers.CharField(max_length=10)


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

    @extend_schema(request=None, responses=LeaveBalanceSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="balances")
    def balances(self, request: Request) -> Response:
        """rule: HR-5 — ``?year=&department=``: the balances of the people in scope, a page at a time."""
        year = leave_balances.parse_year(request.query_params.get("year"), leave_balances.current_year())
        department = selectors.department_param(request.query_params.get("department"))
        people = selectors.visible_people(request.user, department)  # type: ignore[arg-type]
        page = self.paginate_queryset(people)  # type: ignore[arg-type]
        rows = leave_balances.leave_balances(request.user, year, list(page if page is not None else people))  # type: ignore[arg-type]
        data = LeaveBalanceSerializer([row | {"year": year} for row in rows], many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=EntitlementSerializer, responses=EntitlementSerializer)
    @action(detail=False, methods=["post"], url_path="entitlements")
    def entitlements(self, request: Request) -> Response:
        """rule: HR-5 — HR sets a person's annual-leave days for a year."""
        incoming = EntitlementSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        person = selectors.visible_people(request.user).filter(pk=data["person"]).first()  # type: ignore[arg-type]
        if person is None:
            raise BusinessError(NOT_FOUND, field="person")
        saved = leave_balances.leave_entitlement_set(
            actor=request.user,  # type: ignore[arg-type]
            person=person,
            year=data["year"],
            days=data["days"],
        )
        return Response({"person": person.pk, "year": saved.year, "days": saved.annual_days})


def register(router: BaseRouter) -> None:
    router.register("attendance", AttendanceViewSet)
    router.register("attendance-corrections", AttendanceCorrectionViewSet)
    router.register("outings", OutingViewSet)
    router.register("trips", TripViewSet)
    router.register("leaves", LeaveViewSet)
    register_people(router)


# --- HR-10 duty roster, HR-6 meetings, HR-7/HR-8 work reports ---------------------------------
class DutyAssignmentSerializer(serializers.ModelSerializer[DutyAssignment]):
    status = serializers.CharField(read_only=True)
    post_name = serializers.CharField(source="post.name", read_only=True)
    post_kind = serializers.CharField(source="post.kind", read_only=True)

    class Meta:
        model = DutyAssignment
        fields = ["id", "post", "post_name", "post_kind", "department", "day", "person", "status", "assigned_by"]
        read_only_fields = fields


class DutyAssignCreateSerializer(serializers.Serializer[Any]):
    post = serializers.IntegerField()
    day = serializers.DateField()
    person = serializers.IntegerField()


class DutySwapCreateSerializer(serializers.Serializer[Any]):
    substitute = serializers.IntegerField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=4000)


class UnattendedCreateSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=4000)
    found_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


def _user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise BusinessError(NOT_FOUND, field=field)
    return user


@extend_schema(request=DutyAssignCreateSerializer)
class DutyAssignmentViewSet(_CreateViewSet):
    """rule: HR-10 — the roster in scope (``?from=&to=``); heads assign; ``swap`` / ``unattended`` actions."""

    queryset = DutyAssignment.objects.select_related("post").all()
    serializer_class = DutyAssignmentSerializer
    create_serializer = DutyAssignCreateSerializer

    def get_queryset(self) -> Any:
        rows = super().get_queryset()
        start, end = self.request.query_params.get("from"), self.request.query_params.get("to")
        if start or end:
            first, last = parse_date(start or ""), parse_date(end or "")
            if first is None or last is None:
                raise BusinessError(errors.BAD_VALUE, field="from", field_name="from")
            rows = rows.filter(pk__in=roster.assignments_between(self.request.user, first, last).values("pk"))  # type: ignore[arg-type]
        return rows

    def perform(self, user: User, data: dict[str, Any]) -> Any:
        post = DutyPost.objects.filter(pk=data["post"]).first()
        if post is None:
            raise BusinessError(NOT_FOUND, field="post")
        person = _user(data["person"], "person")
        return roster.duty_assign(actor=user, post=post, day=data["day"], person=person)  # type: ignore[arg-type]

    @extend_schema(request=DutySwapCreateSerializer, responses={201: None})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])  # the service decides
    def swap(self, request: Request, pk: Any = None) -> Response:
        assignment = self.get_object()
        incoming = DutySwapCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        swap = roster.duty_swap_request(
            actor=request.user,  # type: ignore[arg-type]
            assignment=assignment,
            substitute=_user(data["substitute"], "substitute"),
            reason=data["reason"],
        )
        return Response({"id": swap.pk, "status": swap.status}, status=status.HTTP_201_CREATED)

    @extend_schema(request=UnattendedCreateSerializer, responses={201: None})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])  # the service decides
    def unattended(self, request: Request, pk: Any = None) -> Response:
        assignment = self.get_object()
        incoming = UnattendedCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        report = roster.duty_report_unattended(actor=request.user, assignment=assignment, **incoming.validated_data)  # type: ignore[arg-type]
        return Response({"id": report.pk, "assignment": assignment.pk}, status=status.HTTP_201_CREATED)


class MeetingAttendanceSerializer(serializers.ModelSerializer[MeetingAttendance]):
    class Meta:
        model = MeetingAttendance
        fields = ["person", "status", "arrived_at", "late_minutes"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    attendees = MeetingAttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id", "kind", "title", "department", "organiser", "starts_at", "ends_at", "place", "agenda", "status",
            "held_at", "minutes", "minutes_sent_at", "attendees",
        ]  # fmt: skip
        read_only_fields = fields


class MeetingCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=12)
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    agenda = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    attendees = serializers.ListField(child=serializers.IntegerField(), max_length=500)


class ArrivalSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(required=False, allow_null=True, default=None)
    arrived_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class MinutesSerializer(serializers.Serializer[Any]):
    minutes = serializers.CharField(max_length=20000)


@extend_schema(request=MeetingCreateSerializer)
class MeetingViewSet(_CreateViewSet):
    """rule: HR-6 — meetings in scope; ``arrival`` (own sign-in or the organiser's record), ``held``, ``minutes``."""

    queryset = Meeting.objects.prefetch_related("attendees").all()
    serializer_class = MeetingSerializer
    create_serializer = MeetingCreateSerializer

    def perform(self, user: User, data: dict[str, Any]) -> Any:
        ids = data.pop("attendees")
        people = list(User.objects.filter(pk__in=ids))
        if len(people) != len(set(ids)):
            raise BusinessError(NOT_FOUND, field="attendees")
        return meetings.meeting_schedule(actor=user, attendees=people, **data)

    def _done(self, meeting: Meeting) -> Response:
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(request=ArrivalSerializer, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])  # the service decides
    def arrival(self, request: Request, pk: Any = None) -> Response:
        meeting = self.get_object()
        incoming = ArrivalSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        person = _user(data["person"], "person") or request.user
        meetings.meeting_record_arrival(
            actor=request.user, meeting=meeting, person=person, arrived_at=data["arrived_at"]
        )  # type: ignore[arg-type]
        return self._done(meeting)

    @extend_schema(request=None, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])  # the service decides
    def held(self, request: Request, pk: Any = None) -> Response:
        meeting = meetings.meeting_mark_held(actor=request.user, meeting=self.get_object())  # type: ignore[arg-type]
        return self._done(meeting)

    @extend_schema(request=MinutesSerializer, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])  # the service decides
    def minutes(self, request: Request, pk: Any = None) -> Response:
        meeting = self.get_object()
        incoming = MinutesSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        meetings.meeting_send_minutes(actor=request.user, meeting=meeting, **incoming.validated_data)  # type: ignore[arg-type]
        return self._done(meeting)


class WorkReportSerializer(serializers.ModelSerializer[WorkReport]):
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = WorkReport
        fields = [
            "id", "person", "department", "kind", "period_start", "period_end", "content", "due_at", "submitted_at",
            "is_late", "recipient", "status", "acknowledged_at", "acknowledged_by", "comment",
        ]  # fmt: skip
        read_only_fields = fields


class WorkReportCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=16)
    day = serializers.DateField()
    content = serializers.CharField(max_length=20000)


class AcknowledgeSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


@extend_schema(request=WorkReportCreateSerializer)
class WorkReportViewSet(_CreateViewSet):
    """rule: HR-7, HR-8 — reports in scope (own, sent to me, my team's); ``acknowledge``; ``prefill``."""

    queryset = WorkReport.objects.all()
    serializer_class = WorkReportSerializer
    create_serializer = WorkReportCreateSerializer

    def perform(self, user: User, data: dict[str, Any]) -> Any:
        return reports.report_submit(actor=user, **data)

    @extend_schema(request=AcknowledgeSerializer, responses={200: WorkReportSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])  # the service decides
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        incoming = AcknowledgeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        report = reports.report_acknowledge(actor=request.user, report=self.get_object(), **incoming.validated_data)  # type: ignore[arg-type]
        return Response(WorkReportSerializer(report).data)

    @extend_schema(request=None, responses={200: None})
    @action(detail=False, methods=["get"])
    def prefill(self, request: Request) -> Response:
        """The caller's daily summary pre-fill for ``?day=`` (default today)."""
        day = parse_date(request.query_params.get("day") or "") or timezone.localdate()
        digest = reports.daily_summary_prefill(request.user, day)  # type: ignore[arg-type]
        return Response(
            {
                "day": day,
                "activities": digest.activities,
                "calls": digest.calls,
                "quotes": digest.quotes,
                "orders": digest.orders,
                "content": digest.as_text(),
            }
        )


def register_people(router: BaseRouter) -> None:
    router.register("duty", DutyAssignmentViewSet)
    router.register("meetings", MeetingViewSet)
    router.register("work-reports", WorkReportViewSet)
