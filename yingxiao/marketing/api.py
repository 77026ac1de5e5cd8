"""Marketing API: /api/v1/campaigns/, /media-plans/, /roadshows/, /competitor-entries/ (MKT-1…MKT-5).

Reads are scoped by ``restrict`` (ORG-5: out of scope → 404); writes and transitions call the
services. Choice fields are plain strings (validated by the services) so the schema's enum names
do not collide with other apps' ``status`` / ``kind`` enums.
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

from . import services
from .models import (
    Campaign,
    CampaignEvent,
    CampaignInvitation,
    CampaignLead,
    CampaignMaterial,
    CampaignMedia,
    CampaignTask,
    CompetitorEntry,
    MediaPlan,
    MediaPlanItem,
    Roadshow,
)

# --- campaigns -----------------------------------------------------------------------------------


class CampaignTaskSerializer(serializers.ModelSerializer[CampaignTask]):
    class Meta:
        model = CampaignTask
        fields = ["id", "title", "owner", "due_on", "done_at"]
        read_only_fields = fields


class CampaignMaterialSerializer(serializers.ModelSerializer[CampaignMaterial]):
    class Meta:
        model = CampaignMaterial
        fields = ["id", "name", "quantity", "note"]
        read_only_fields = fields


class InvitationLinkSerializer(serializers.ModelSerializer[CampaignInvitation]):
    invitation_status = serializers.CharField(source="invitation.status", read_only=True)

    class Meta:
        model = CampaignInvitation
        fields = ["id", "customer", "invitation", "invitation_status", "conflict", "attended"]
        read_only_fields = fields


class CampaignMediaSerializer(serializers.ModelSerializer[CampaignMedia]):
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = CampaignMedia
        fields = ["id", "kind", "file", "caption", "uploaded_by", "uploaded_at"]
        read_only_fields = fields


class CampaignLeadSerializer(serializers.ModelSerializer[CampaignLead]):
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = CampaignLead
        fields = ["id", "customer", "kind", "sales_amount", "recorded_by", "recorded_at"]
        read_only_fields = fields


class CampaignEventSerializer(serializers.ModelSerializer[CampaignEvent]):
    class Meta:
        model = CampaignEvent
        fields = ["id", "from_status", "to_status", "message", "actor", "at"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id", "theme", "audience", "content", "place", "starts_on", "ends_on", "budget", "owner",
            "department", "status", "status_display", "participants", "feedback", "exposure", "spend",
            "summarised_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class CampaignDetailSerializer(CampaignSerializer):
    tasks = CampaignTaskSerializer(many=True, read_only=True)
    materials = CampaignMaterialSerializer(many=True, read_only=True)
    invitations = InvitationLinkSerializer(many=True, read_only=True)
    media = CampaignMediaSerializer(many=True, read_only=True)
    leads = CampaignLeadSerializer(many=True, read_only=True)
    events = CampaignEventSerializer(many=True, read_only=True)
    attributable_sales = serializers.SerializerMethodField()
    roi = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [
            *CampaignSerializer.Meta.fields,
            "tasks", "materials", "invitations", "media", "leads", "events", "attributable_sales", "roi",
        ]  # fmt: skip
        read_only_fields = fields

    def get_attributable_sales(self, obj: Campaign) -> str:
        return str(services.attributable_sales(obj))

    def get_roi(self, obj: Campaign) -> str | None:
        value = services.campaign_roi(obj)
        return None if value is None else str(value)


class CampaignPlanSerializer(serializers.Serializer[Any]):
    """rule: MKT-1 — the plan; the service checks order of dates and a budget ≥ 0."""

    theme = serializers.CharField(max_length=200)
    audience = serializers.CharField(max_length=500)
    content = serializers.CharField(max_length=4000)
    place = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)


class CampaignRevisionSerializer(CampaignPlanSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class CampaignCancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


class CampaignSummarySerializer(serializers.Serializer[Any]):
    participants = serializers.IntegerField(min_value=0)
    feedback = serializers.CharField(max_length=4000)
    exposure = serializers.IntegerField(min_value=0)
    spend = serializers.DecimalField(max_digits=14, decimal_places=2)


class CampaignTaskCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    owner = serializers.IntegerField()
    due_on = serializers.DateField()


class CampaignTaskDoneSerializer(serializers.Serializer[Any]):
    task = serializers.IntegerField()


class CampaignMaterialCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=1, default=1)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CampaignInviteSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField()
    confirmed = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CampaignAttendanceSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField()
    attended = serializers.BooleanField()


class CampaignMediaUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CampaignLeadCreateSerializer(serializers.Serializer[Any]):
    customer = serializers.IntegerField()
    kind = serializers.CharField(max_length=8)
    sales_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, default=0)


def _user(pk: int) -> User:
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise BusinessError(NOT_FOUND, field="owner")
    return user


class CampaignViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Campaign],
):
    """Campaigns in the caller's scope (MKT-1); each step of the lifecycle is its own POST action."""

    queryset = Campaign.objects.select_related("owner", "department").all()
    serializer_class = CampaignSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self) -> Any:
        # Transitions are POSTs on one campaign: they read it with "view" and the service decides.
        action_ = "change" if self.request.method in ("PUT", "PATCH") else "view"
        return self.queryset.all().restrict(self.request.user, action_)  # type: ignore[attr-defined]

    def get_serializer_class(self) -> Any:
        return CampaignDetailSerializer if self.action != "list" else CampaignSerializer

    def _reply(self, campaign: Campaign, code: int = status.HTTP_200_OK) -> Response:
        fresh = Campaign.objects.get(pk=campaign.pk)
        return Response(CampaignDetailSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(request=CampaignPlanSerializer, responses={201: CampaignDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = CampaignPlanSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        campaign = services.campaign_create(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return self._reply(campaign, status.HTTP_201_CREATED)

    @extend_schema(request=CampaignRevisionSerializer, responses={200: CampaignDetailSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = self.get_object()
        incoming = CampaignRevisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.campaign_update(actor=request.user, campaign=campaign, **incoming.validated_data)  # type: ignore[arg-type]
        return self._reply(campaign)

    def _act(self, request: Request, serializer_class: Any, call: Any) -> Response:
        campaign = self.get_object()
        data: dict[str, Any] = {}
        if serializer_class is not None:
            incoming = serializer_class(data=request.data)
            incoming.is_valid(raise_exception=True)
            data = dict(incoming.validated_data)
        call(request.user, campaign, data)
        return self._reply(campaign)

    @extend_schema(request=None, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def prepare(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, None, lambda u, c, d: services.campaign_prepare(actor=u, campaign=c))

    @extend_schema(request=None, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def execute(self, request: Request, pk: Any = None) -> Response:
        return self._act(request, None, lambda u, c, d: services.campaign_execute(actor=u, campaign=c))

    @extend_schema(request=CampaignSummarySerializer, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def summarise(self, request: Request, pk: Any = None) -> Response:
        return self._act(
            request, CampaignSummarySerializer, lambda u, c, d: services.campaign_summarise(actor=u, campaign=c, **d)
        )

    @extend_schema(request=CampaignCancelSerializer, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        return self._act(
            request, CampaignCancelSerializer, lambda u, c, d: services.campaign_cancel(actor=u, campaign=c, **d)
        )

    @extend_schema(request=CampaignTaskCreateSerializer, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def tasks(self, request: Request, pk: Any = None) -> Response:
        def call(user: User, campaign: Campaign, data: dict[str, Any]) -> None:
            data["owner"] = _user(data["owner"])
            services.task_add(actor=user, campaign=campaign, **data)

        return self._act(request, CampaignTaskCreateSerializer, call)

    @extend_schema(request=CampaignTaskDoneSerializer, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"], url_path="task-done")
    def task_done(self, request: Request, pk: Any = None) -> Response:
        def call(user: User, campaign: Campaign, data: dict[str, Any]) -> None:
            if not campaign.tasks.filter(pk=data["task"]).exists():
                raise BusinessError(NOT_FOUND, field="task")
            services.task_done(actor=user, task=data["task"])

        return self._act(request, CampaignTaskDoneSerializer, call)

    @extend_schema(request=CampaignMaterialCreateSerializer, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def materials(self, request: Request, pk: Any = None) -> Response:
        return self._act(
            request, CampaignMaterialCreateSerializer, lambda u, c, d: services.material_add(actor=u, campaign=c, **d)
        )

    @extend_schema(request=CampaignInviteSerializer, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: Any = None) -> Response:
        """rule: CUS-8 — refused (409, customers.invitation_taken) when another department confirmed the customer."""
        return self._act(
            request, CampaignInviteSerializer, lambda u, c, d: services.campaign_invite(actor=u, campaign=c, **d)
        )

    @extend_schema(request=CampaignAttendanceSerializer, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: Any = None) -> Response:
        return self._act(
            request, CampaignAttendanceSerializer, lambda u, c, d: services.attendance_record(actor=u, campaign=c, **d)
        )

    @extend_schema(
        request={"multipart/form-data": CampaignMediaUploadSerializer}, responses={200: CampaignDetailSerializer}
    )
    @action(detail=True, methods=["post"])
    def media(self, request: Request, pk: Any = None) -> Response:
        return self._act(
            request, CampaignMediaUploadSerializer, lambda u, c, d: services.media_upload(actor=u, campaign=c, **d)
        )

    @extend_schema(request=CampaignLeadCreateSerializer, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def leads(self, request: Request, pk: Any = None) -> Response:
        return self._act(
            request, CampaignLeadCreateSerializer, lambda u, c, d: services.lead_record(actor=u, campaign=c, **d)
        )


# --- media plans ---------------------------------------------------------------------------------


class MediaItemSerializer(serializers.ModelSerializer[MediaPlanItem]):
    class Meta:
        model = MediaPlanItem
        fields = ["id", "name", "planned_on", "planned_cost", "actual_cost", "completed_on", "note"]
        read_only_fields = fields


class MediaPlanSerializer(serializers.ModelSerializer[MediaPlan]):
    kind = serializers.CharField(read_only=True)
    completion = serializers.SerializerMethodField()
    spend = serializers.SerializerMethodField()
    overspent = serializers.SerializerMethodField()
    on_target = serializers.SerializerMethodField()

    class Meta:
        model = MediaPlan
        fields = [
            "id", "year", "kind", "title", "budget", "owner", "department", "completion", "spend", "overspent",
            "on_target", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_completion(self, obj: MediaPlan) -> str:
        return str(services.plan_progress(obj).completion)

    def get_spend(self, obj: MediaPlan) -> str:
        return str(services.plan_progress(obj).spend)

    def get_overspent(self, obj: MediaPlan) -> bool:
        return services.plan_progress(obj).overspent

    def get_on_target(self, obj: MediaPlan) -> bool:
        return services.plan_progress(obj).on_target


class MediaPlanDetailSerializer(MediaPlanSerializer):
    items = MediaItemSerializer(many=True, read_only=True)

    class Meta(MediaPlanSerializer.Meta):
        fields = [*MediaPlanSerializer.Meta.fields, "items"]
        read_only_fields = fields


class MediaPlanCreateSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    kind = serializers.CharField(max_length=12)
    title = serializers.CharField(max_length=200)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)


class MediaPlanRevisionSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)


class MediaItemCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    planned_on = serializers.DateField()
    planned_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MediaItemCompleteSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField()
    actual_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    completed_on = serializers.DateField(required=False, allow_null=True, default=None)


class MediaPlanViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[MediaPlan],
):
    """Annual advertising / exhibition / web plans (MKT-2) with completion and spend against budget."""

    queryset = services.with_progress(MediaPlan.objects.all())
    serializer_class = MediaPlanSerializer
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self) -> Any:
        action_ = "change" if self.request.method in ("PUT", "PATCH") else "view"
        return self.queryset.all().restrict(self.request.user, action_)  # type: ignore[attr-defined]

    def get_serializer_class(self) -> Any:
        return MediaPlanDetailSerializer if self.action != "list" else MediaPlanSerializer

    def _reply(self, plan: MediaPlan, code: int = status.HTTP_200_OK) -> Response:
        fresh = services.with_progress(MediaPlan.objects.filter(pk=plan.pk)).get()
        return Response(MediaPlanDetailSerializer(fresh).data, status=code)

    @extend_schema(request=MediaPlanCreateSerializer, responses={201: MediaPlanDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = MediaPlanCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        plan = services.media_plan_create(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return self._reply(plan, status.HTTP_201_CREATED)

    @extend_schema(request=MediaPlanRevisionSerializer, responses={200: MediaPlanDetailSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        incoming = MediaPlanRevisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.media_plan_update(actor=request.user, plan=plan, **incoming.validated_data)  # type: ignore[arg-type]
        return self._reply(plan)

    @extend_schema(request=MediaItemCreateSerializer, responses={200: MediaPlanDetailSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: Any = None) -> Response:
        plan = self.get_object()
        incoming = MediaItemCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.media_item_add(actor=request.user, plan=plan, **incoming.validated_data)  # type: ignore[arg-type]
        return self._reply(plan)

    @extend_schema(request=MediaItemCompleteSerializer, responses={200: MediaPlanDetailSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        plan = self.get_object()
        incoming = MediaItemCompleteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        if not plan.items.filter(pk=data["item"]).exists():
            raise BusinessError(NOT_FOUND, field="item")
        services.media_item_complete(actor=request.user, **data)  # type: ignore[arg-type]
        return self._reply(plan)


# --- roadshows and competitor entries ------------------------------------------------------------


class RoadshowSerializer(serializers.ModelSerializer[Roadshow]):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Roadshow
        fields = ["id", "department", "organiser", "held_on", "place", "note", "voided", "photos", "created_at"]
        read_only_fields = fields

    def get_photos(self, obj: Roadshow) -> int:
        return len(obj.photos.all())


class RoadshowCreateSerializer(serializers.Serializer[Any]):
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    photo = serializers.FileField(required=False, allow_null=True, default=None)


class RoadshowPhotoSerializer(serializers.Serializer[Any]):
    photo = serializers.FileField()


class RoadshowViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Roadshow],
):
    """Roadshows (巡展, MKT-3): each counts towards the monthly number once it has a photo."""

    queryset = Roadshow.objects.prefetch_related("photos").all()
    serializer_class = RoadshowSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> Any:
        return self.queryset.all().restrict(self.request.user, "view")  # type: ignore[attr-defined]

    @extend_schema(request={"multipart/form-data": RoadshowCreateSerializer}, responses={201: RoadshowSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = RoadshowCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        photo = data.pop("photo")
        roadshow = services.roadshow_record(actor=request.user, photos=[photo] if photo else None, **data)  # type: ignore[arg-type]
        return Response(RoadshowSerializer(roadshow).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": RoadshowPhotoSerializer}, responses={200: RoadshowSerializer})
    @action(detail=True, methods=["post"])
    def photos(self, request: Request, pk: Any = None) -> Response:
        roadshow = self.get_object()
        incoming = RoadshowPhotoSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.roadshow_add_photo(actor=request.user, roadshow=roadshow, photo=incoming.validated_data["photo"])  # type: ignore[arg-type]
        return Response(RoadshowSerializer(Roadshow.objects.get(pk=roadshow.pk)).data)


class CompetitorEntrySerializer(serializers.ModelSerializer[CompetitorEntry]):
    class Meta:
        model = CompetitorEntry
        fields = [
            "id", "month", "competitor", "product", "price", "news", "source", "reporter", "department", "voided",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class CompetitorEntryCreateSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(max_length=10, help_text="YYYY-MM")
    competitor = serializers.CharField(max_length=200)
    product = serializers.CharField(max_length=200)
    price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    news = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CompetitorEntryViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[CompetitorEntry],
):
    """Monthly competitor information (MKT-4)."""

    queryset = CompetitorEntry.objects.all()
    serializer_class = CompetitorEntrySerializer

    @extend_schema(request=CompetitorEntryCreateSerializer, responses={201: CompetitorEntrySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = CompetitorEntryCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        entry = services.competitor_entry_record(actor=request.user, **incoming.validated_data)  # type: ignore[arg-type]
        return Response(CompetitorEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    router.register("campaigns", CampaignViewSet)
    router.register("media-plans", MediaPlanViewSet)
    router.register("roadshows", RoadshowViewSet)
    router.register("competitor-entries", CompetitorEntryViewSet)
