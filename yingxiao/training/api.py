"""Training API (HR-9, ORG-6): /api/v1/training/plans/, …/sessions/, …/attendance/, …/onboarding/, …/needs/."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.org.models import User

from . import services
from .models import Attendance, Onboarding, TrainingNeed, TrainingPlan, TrainingSession


class PlanSerializer(serializers.ModelSerializer[TrainingPlan]):
    class Meta:
        model = TrainingPlan
        fields = ["id", "period", "year", "number", "title", "goals", "department", "status", "created_at"]
        read_only_fields = ["id", "status", "created_at"]
        extra_kwargs = {"number": {"required": False}}


class SessionSerializer(serializers.ModelSerializer[TrainingSession]):
    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "plan",
            "title",
            "topic",
            "trainer",
            "trainer_name",
            "starts_at",
            "ends_at",
            "place",
            "department",
            "status",
        ]
        read_only_fields = ["id", "status"]


class TrainingAttendanceSerializer(serializers.ModelSerializer[Attendance]):
    class Meta:
        model = Attendance
        fields = ["id", "session", "person", "department", "attended", "score", "note", "recorded_at"]
        read_only_fields = ["id", "department", "recorded_at"]
        validators: list[Any] = []  # re-recording updates the row (the service upserts)


class OnboardingSerializer(serializers.ModelSerializer[Onboarding]):
    class Meta:
        model = Onboarding
        fields = [
            "id",
            "person",
            "department",
            "mentor",
            "started_on",
            "probation_months",
            "required_sales",
            "ends_on",
            "status",
            "closed_sales",
            "concluded_at",
            "note",
        ]
        read_only_fields = [
            "id",
            "department",
            "probation_months",
            "required_sales",
            "ends_on",
            "status",
            "closed_sales",
            "concluded_at",
        ]
        validators: list[Any] = []


class NeedSerializer(serializers.ModelSerializer[TrainingNeed]):
    class Meta:
        model = TrainingNeed
        fields = ["id", "person", "department", "rule_id", "reason", "status", "session", "created_at", "closed_at"]
        read_only_fields = fields


class _Base(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_queryset(self) -> Any:
        return self.queryset.restrict(self.request.user)  # type: ignore[union-attr]


class PlanViewSet(mixins.CreateModelMixin, _Base):
    """Training plans (annual / quarterly / monthly); everyone reads, HR and directors plan."""

    queryset = TrainingPlan.objects.all()
    serializer_class = PlanSerializer
    filterset_fields = ["period", "year", "status", "department"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_create(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(PlanSerializer(plan).data, status=201)


class SessionViewSet(mixins.CreateModelMixin, _Base):
    """Training sessions; everyone reads, HR, directors and heads schedule."""

    queryset = TrainingSession.objects.all()
    serializer_class = SessionSerializer
    filterset_fields = ["plan", "status", "department"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = SessionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_create(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(SessionSerializer(session).data, status=201)


class AttendanceViewSet(mixins.CreateModelMixin, _Base):
    """Attendance and assessment scores (HR-9), scoped: own, department, all."""

    queryset = Attendance.objects.select_related("session")
    serializer_class = TrainingAttendanceSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["session", "person", "attended"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TrainingAttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        session = get_object_or_404(TrainingSession.objects.restrict(request.user), pk=values["session"].pk)
        record = services.attendance_record(
            actor=request.user,  # type: ignore[arg-type]
            session=session,
            person=values["person"],
            attended=values.get("attended", False),
            score=values.get("score"),
            note=values.get("note", ""),
        )
        return Response(TrainingAttendanceSerializer(record).data, status=201)


class OnboardingViewSet(mixins.CreateModelMixin, _Base):
    """New hires, their mentor and probation (ORG-6); concluded by the ORG-6 sweep."""

    queryset = Onboarding.objects.select_related("person", "mentor")
    serializer_class = OnboardingSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "mentor", "person"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from yingxiao.core.guards import require_permission

        require_permission(request.user, "training.add_onboarding")
        data = OnboardingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        row = services.onboarding_start(
            actor=request.user,  # type: ignore[arg-type]
            person=get_object_or_404(User, pk=values["person"].pk),
            mentor=values["mentor"],
            started_on=values["started_on"],
            note=values.get("note", ""),
        )
        return Response(OnboardingSerializer(row).data, status=201)


class NeedViewSet(_Base):
    """Training needs, e.g. the bottom of a PRF-4 ranking."""

    queryset = TrainingNeed.objects.select_related("person")
    serializer_class = NeedSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "person", "rule_id"]


def register(router: BaseRouter) -> None:
    router.register("training/plans", PlanViewSet, basename="trainingplan")
    router.register("training/sessions", SessionViewSet, basename="trainingsession")
    router.register("training/attendance", AttendanceViewSet, basename="trainingattendance")
    router.register("training/onboarding", OnboardingViewSet, basename="onboarding")
    router.register("training/needs", NeedViewSet, basename="trainingneed")
