"""API of grade reviews (CUS-4), admission (CUS-5), invitations (CUS-8), tracking sheets (CUS-10)
and referrals (CUS-13) under /api/v1/. Every queryset is scoped to the caller (ORG-5); writes go
through ``customers.relations`` services, whose refusals answer with their code and message.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedViewSetMixin
from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.permissions import StaffReadPermission

from .models import (
    AdmissionCheck,
    AdmissionCriterion,
    Customer,
    GradeReview,
    Invitation,
    Referral,
    ReferralReward,
    TrackingSheet,
    TrackingStep,
)
from .relations import admission, grades, invitations, referrals, tracking
from .relations.grades import PROBLEMS


class ScopedCustomerField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A customer id the caller may see: an out-of-scope id looks exactly like a missing one."""

    def get_queryset(self) -> QuerySet[Customer]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return Customer.objects.restrict(user, "view")  # type: ignore[attr-defined]


class GradeReviewSerializer(serializers.ModelSerializer[GradeReview]):
    customer = ScopedCustomerField()
    problems = serializers.ListField(
        child=serializers.ChoiceField(choices=PROBLEMS), write_only=True, required=False, default=list
    )
    apply_grade = serializers.BooleanField(write_only=True, default=True)

    class Meta:
        model = GradeReview
        fields = [
            "id", "customer", "reviewer", "responsible", "reviewed_at", "grade_before", "result_grade",
            "poor_execution", "late_payment", "business_crisis", "major_loss", "notes",
            "downgrade_due_at", "downgraded_at", "problems", "apply_grade",
        ]  # fmt: skip
        read_only_fields = [
            "reviewer", "responsible", "reviewed_at", "grade_before", "poor_execution", "late_payment",
            "business_crisis", "downgrade_due_at", "downgraded_at",
        ]  # fmt: skip


class GradeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    grade = serializers.ChoiceField(choices=list(grades.LOWER_THAN_VIP))


class CriterionSerializer(serializers.ModelSerializer[AdmissionCriterion]):
    class Meta:
        model = AdmissionCriterion
        fields = ["id", "title", "description", "requires_evidence", "is_active", "position"]


class AdmissionCheckSerializer(serializers.ModelSerializer[AdmissionCheck]):
    customer = ScopedCustomerField()
    criterion = serializers.PrimaryKeyRelatedField(queryset=AdmissionCriterion.objects.all())

    class Meta:
        model = AdmissionCheck
        fields = ["id", "customer", "criterion", "satisfied", "evidence", "checked_by", "checked_at"]
        read_only_fields = ["checked_by", "checked_at"]
        validators: list[Any] = []  # ticking again updates the tick (the service is idempotent)


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    customer = ScopedCustomerField()
    confirmed = serializers.BooleanField(write_only=True, default=False)
    department_name = serializers.StringRelatedField(source="department")

    class Meta:
        model = Invitation
        fields = [
            "id", "customer", "event_name", "event_date", "department", "department_name", "inviter", "status",
            "logged_at", "counts_for_date", "confirmed_at", "note", "confirmed",
        ]  # fmt: skip
        read_only_fields = ["department", "inviter", "status", "logged_at", "counts_for_date", "confirmed_at"]
        validators: list[Any] = []  # the service refuses a taken customer with its own code (CUS-8)


class NoteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ConflictSerializer(serializers.Serializer):  # type: ignore[type-arg]
    customer = serializers.IntegerField(source="customer.pk")
    customer_name = serializers.CharField(source="customer.name")
    event_name = serializers.CharField()
    event_date = serializers.DateField()
    suggested = serializers.IntegerField(source="suggested.pk")
    invitations = InvitationSerializer(many=True)


class StepSerializer(serializers.ModelSerializer[TrackingStep]):
    class Meta:
        model = TrackingStep
        fields = ["id", "planned_on", "action", "done_on", "result"]
        read_only_fields = ["done_on", "result"]


class TrackingSheetSerializer(serializers.ModelSerializer[TrackingSheet]):
    customer = ScopedCustomerField()
    steps = StepSerializer(many=True, required=False)

    class Meta:
        model = TrackingSheet
        fields = ["id", "customer", "author", "created_at", "goal", "last_reviewed_at", "last_reviewed_by", "steps"]
        read_only_fields = ["author", "created_at", "last_reviewed_at", "last_reviewed_by"]


class CommentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    comment = serializers.CharField(max_length=1000)


class ReferralRewardSerializer(serializers.ModelSerializer[ReferralReward]):
    class Meta:
        model = ReferralReward
        fields = ["id", "referral", "referrer", "kind", "amount", "points", "deal_value", "earned_at"]


class ReferralSerializer(serializers.ModelSerializer[Referral]):
    referrer = ScopedCustomerField()
    referred = ScopedCustomerField()
    reward = ReferralRewardSerializer(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "referrer",
            "referred",
            "reward_kind",
            "deal_value",
            "recorded_by",
            "recorded_at",
            "note",
            "reward",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]


class DealValueSerializer(serializers.Serializer):  # type: ignore[type-arg]
    deal_value = serializers.DecimalField(max_digits=14, decimal_places=2)


class _Scoped(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[misc]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["customer"]

    def _input(self, serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:  # type: ignore[type-arg]
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _out(self, instance: Any, code: int = status.HTTP_200_OK) -> Response:
        instance = self.get_queryset().model._default_manager.get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=code)


class GradeReviewViewSet(_Scoped, mixins.CreateModelMixin):
    """Grade evaluations (CUS-4); ``downgrade`` carries out a pending VIP downgrade."""

    queryset = GradeReview.objects.select_related("customer").order_by("-reviewed_at", "-pk")
    serializer_class = GradeReviewSerializer

    def perform_create(self, serializer: GradeReviewSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        serializer.instance = grades.grade_review_record(actor=self.request.user, **data)

    @action(detail=True, methods=["post"])
    def downgrade(self, request: Request, pk: Any = None) -> Response:
        data = self._input(GradeSerializer, request)
        review = grades.grade_downgrade(actor=request.user, review=self.get_object(), grade=data["grade"])
        return self._out(review)


class AdmissionCriterionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """The admission checklist (CUS-5): readable by every employee, edited by administrators."""

    queryset = AdmissionCriterion.objects.order_by("position", "pk")
    serializer_class = CriterionSerializer
    permission_classes = [StaffReadPermission]

    def perform_create(self, serializer: CriterionSerializer) -> None:  # type: ignore[override]
        serializer.instance = admission.criterion_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer: CriterionSerializer) -> None:  # type: ignore[override]
        serializer.instance = admission.criterion_update(
            actor=self.request.user, criterion=serializer.instance, data=serializer.validated_data
        )


class AdmissionCheckViewSet(_Scoped, mixins.CreateModelMixin):
    """The customers' ticks (CUS-5); POST ticks or unticks a criterion (idempotent per customer and criterion)."""

    queryset = AdmissionCheck.objects.order_by("pk")
    serializer_class = AdmissionCheckSerializer

    def perform_create(self, serializer: AdmissionCheckSerializer) -> None:  # type: ignore[override]
        serializer.instance = admission.admission_tick(actor=self.request.user, **serializer.validated_data)


class InvitationViewSet(_Scoped, mixins.CreateModelMixin):
    """Invitations (CUS-8) of the caller or their departments; conflicts and resolution for the coordinator."""

    queryset = Invitation.objects.select_related("department").order_by("-logged_at", "-pk")
    serializer_class = InvitationSerializer

    def perform_create(self, serializer: InvitationSerializer) -> None:  # type: ignore[override]
        serializer.instance = invitations.invitation_create(actor=self.request.user, **serializer.validated_data)

    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        return self._out(invitations.invitation_confirm(actor=request.user, invitation=self.get_object()))

    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: Any = None) -> Response:
        note = self._input(NoteSerializer, request)["note"]
        return self._out(invitations.invitation_decline(actor=request.user, invitation=self.get_object(), note=note))

    @action(detail=False, methods=["get"], serializer_class=ConflictSerializer, pagination_class=None)
    def conflicts(self, request: Request) -> Response:
        return Response(ConflictSerializer(invitations.invitation_conflicts(request.user), many=True).data)

    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: Any = None) -> Response:
        note = self._input(NoteSerializer, request)["note"]
        winner = (
            Invitation.objects.filter(pk=pk).first() if request.user.has_perm("customers.resolve_invitation") else None
        )
        if winner is None:
            raise BusinessError(NOT_FOUND)
        invitations.invitation_resolve(actor=request.user, winner=winner, note=note)
        winner.refresh_from_db()
        return Response(InvitationSerializer(winner, context=self.get_serializer_context()).data)


class TrackingSheetViewSet(_Scoped, mixins.CreateModelMixin):
    """Tracking sheets of A/B customers (CUS-10): create with steps, add steps, supervisor's review."""

    queryset = TrackingSheet.objects.prefetch_related("steps").order_by("pk")
    serializer_class = TrackingSheetSerializer

    def perform_create(self, serializer: TrackingSheetSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        serializer.instance = tracking.tracking_sheet_create(
            actor=self.request.user, customer=data["customer"], goal=data["goal"], steps=data.get("steps", [])
        )

    @action(detail=True, methods=["post"], serializer_class=StepSerializer)
    def steps(self, request: Request, pk: Any = None) -> Response:
        data = self._input(StepSerializer, request)
        step = tracking.tracking_step_add(actor=request.user, sheet=self.get_object(), **data)
        return Response(StepSerializer(step).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=CommentSerializer)
    def review(self, request: Request, pk: Any = None) -> Response:
        data = self._input(CommentSerializer, request)
        sheet = self.get_object()
        tracking.tracking_sheet_review(actor=request.user, sheet=sheet, comment=data["comment"])
        return Response(
            TrackingSheetSerializer(TrackingSheet.objects.get(pk=sheet.pk), context={"request": request}).data
        )


class ReferralViewSet(_Scoped, mixins.CreateModelMixin):
    """Referrals (CUS-13) and their rewards; ``deal_value`` enters the sale for points."""

    queryset = Referral.objects.select_related("reward").order_by("-recorded_at", "-pk")
    serializer_class = ReferralSerializer
    filterset_fields = ["referrer", "referred"]

    def perform_create(self, serializer: ReferralSerializer) -> None:  # type: ignore[override]
        serializer.instance = referrals.referral_record(actor=self.request.user, **serializer.validated_data)

    @action(detail=True, methods=["post"], serializer_class=DealValueSerializer)
    def deal_value(self, request: Request, pk: Any = None) -> Response:
        data = self._input(DealValueSerializer, request)
        referral = referrals.referral_set_deal_value(actor=request.user, referral=self.get_object(), **data)
        return Response(ReferralSerializer(Referral.objects.get(pk=referral.pk), context={"request": request}).data)


class ReferralRewardViewSet(_Scoped):
    """Rewards earned by referring customers (CUS-13), read-only."""

    queryset = ReferralReward.objects.order_by("-earned_at", "-pk")
    serializer_class = ReferralRewardSerializer
    filterset_fields = ["referrer"]


def register(router: BaseRouter) -> None:
    router.register("grade-reviews", GradeReviewViewSet, basename="grade-review")
    router.register("admission-criteria", AdmissionCriterionViewSet, basename="admission-criterion")
    router.register("admission-checks", AdmissionCheckViewSet, basename="admission-check")
    router.register("invitations", InvitationViewSet, basename="invitation")
    router.register("tracking-sheets", TrackingSheetViewSet, basename="tracking-sheet")
    router.register("referrals", ReferralViewSet, basename="referral")
    router.register("referral-rewards", ReferralRewardViewSet, basename="referral-reward")
