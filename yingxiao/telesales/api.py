"""Telesales API: call lists (import with dry run), entries (screening), calls (write-once, TEL-3),
corrections, statistics (TEL-4) and reception records (ACT-7). Reads are scoped by ``restrict``."""

from __future__ import annotations

from typing import Any, cast

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

from . import corrections, errors, imports, receptions, services, stats
from .models import CallCorrection, CallEntry, CallList, CallLog, ReceptionRecord


class CallListSerializer(serializers.ModelSerializer[CallList]):
    class Meta:
        model = CallList
        fields = ["id", "name", "source", "script", "owner", "department", "created_by", "created_at"]
        read_only_fields = fields


class ImportSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=True)
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    agent = serializers.IntegerField(required=False, allow_null=True)
    script = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
    source = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, default="", max_length=120
    )
    skip_invalid = serializers.BooleanField(required=False, default=False)


class EntrySerializer(serializers.ModelSerializer[CallEntry]):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = CallEntry
        fields = [
            "id", "call_list", "row_number", "name", "phone", "company", "note", "agent", "department", "status",
            "category", "exclusion_reason", "duplicate_of", "last_outcome", "last_called_at", "next_follow_up_at",
        ]  # fmt: skip
        read_only_fields = fields


class ScreenSerializer(serializers.Serializer[Any]):
    action = serializers.CharField(max_length=10)
    category = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class CorrectionSerializer(serializers.ModelSerializer[CallCorrection]):
    outcome = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = CallCorrection
        fields = [
            "id", "call", "requested_by", "reason", "outcome", "duration_seconds", "notes", "next_follow_up_at",
            "status", "approval", "created_at", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields


class CallSerializer(serializers.ModelSerializer[CallLog]):
    outcome = serializers.CharField(read_only=True)
    corrections = CorrectionSerializer(many=True, read_only=True)

    class Meta:
        model = CallLog
        fields = [
            "id", "entry", "agent", "department", "started_at", "duration_seconds", "outcome", "notes",
            "next_follow_up_at", "logged_at", "corrections",
        ]  # fmt: skip
        read_only_fields = fields


class CallCreateSerializer(serializers.Serializer[Any]):
    entry = serializers.IntegerField()
    outcome = serializers.CharField(max_length=20)
    duration_seconds = serializers.IntegerField(required=False, default=0)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    next_follow_up_at = serializers.DateTimeField(required=False, allow_null=True)
    started_at = serializers.DateTimeField(required=False, allow_null=True)


class CorrectionCreateSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    duration_seconds = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_null=True, max_length=4000)
    next_follow_up_at = serializers.DateTimeField(required=False, allow_null=True)


class ReceptionSerializer(serializers.ModelSerializer[ReceptionRecord]):
    customer = serializers.IntegerField(source="customer_id")
    met_at = serializers.DateTimeField()
    attendees = serializers.CharField(max_length=2000)
    questions = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
    answers = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
    key_issues = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)

    class Meta:
        model = ReceptionRecord
        fields = ["id", "customer", "met_at", "attendees", "questions", "answers", "key_issues", "recorded_by"]
        read_only_fields = ["id", "recorded_by"]


def _user(request: Request) -> User:
    return cast(User, request.user)


def _valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class CallListViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet[CallList]):  # type: ignore[misc]
    """Call lists (TEL-1); ``POST import/`` checks a file (dry run) or imports it."""

    queryset = CallList.objects.select_related("owner")
    serializer_class = CallListSerializer

    @extend_schema(request=ImportSerializer, responses={200: dict, 201: CallListSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        data = _valid(ImportSerializer, request)
        upload = data["file"]
        if upload.size > imports.MAX_BYTES:
            raise BusinessError(errors.FILE_TOO_LARGE, limit=imports.MAX_BYTES // (1024 * 1024))
        content = upload.read()
        if data["dry_run"]:
            report = imports.call_list_check(actor=_user(request), filename=upload.name, content=content)
            return Response(report.as_dict())
        agent = None
        if data.get("agent"):
            agent = User.objects.filter(pk=data["agent"], is_active=True).first()
            if agent is None:
                raise BusinessError(NOT_FOUND)
        call_list, report = imports.call_list_import(
            actor=_user(request),
            filename=upload.name,
            content=content,
            name=data["name"],
            agent=agent,
            script=data["script"],
            source=data["source"],
            skip_invalid=data["skip_invalid"],
        )
        body = {**CallListSerializer(call_list).data, "report": report.as_dict()}
        return Response(body, status=status.HTTP_201_CREATED)


class CallEntryViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet[CallEntry]):  # type: ignore[misc]
    """Entries of call lists; ``POST {id}/screen/`` classifies or excludes (TEL-1); ``GET next/`` (TEL-2)."""

    queryset = CallEntry.objects.all()
    serializer_class = EntrySerializer

    def get_queryset(self) -> Any:
        if self.action == "screen":
            return self.queryset.restrict(self.request.user, "change")  # type: ignore[attr-defined]
        return super().get_queryset()

    @extend_schema(request=ScreenSerializer, responses=EntrySerializer)
    @action(detail=True, methods=["post"])
    def screen(self, request: Request, pk: Any = None) -> Response:
        entry = self.get_object()
        entry = services.entry_screen(actor=_user(request), entry=entry, **_valid(ScreenSerializer, request))
        return Response(EntrySerializer(entry).data)

    @extend_schema(responses=EntrySerializer)
    @action(detail=False, methods=["get"], url_path="next")
    def next(self, request: Request) -> Response:
        entry = services.next_entry(_user(request))
        if entry is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(EntrySerializer(entry).data)


class CallLogViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[CallLog]
):
    """Logged calls (TEL-2): create and read only — an edit or delete answers ``telesales.call_locked`` (TEL-3)."""

    queryset = CallLog.objects.select_related("entry").prefetch_related("corrections")
    serializer_class = CallSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(request=CallCreateSerializer, responses={201: CallSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(CallCreateSerializer, request)
        entry = CallEntry.objects.restrict(request.user, "change").filter(pk=data.pop("entry")).first()
        if entry is None:
            raise BusinessError(NOT_FOUND)
        call = services.call_log(actor=_user(request), entry=entry, **data)
        return Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)

    def get_permissions(self) -> Any:
        if self.action in ("update", "partial_update", "destroy"):
            return [IsAuthenticated()]  # rule: TEL-3 — answered below with the change-request hint, not a bare 403
        return super().get_permissions()

    def _locked(self) -> Response:
        # rule: TEL-3 — the original is kept: a visible call answers with the change-request hint.
        self.get_object()
        raise BusinessError(errors.CALL_LOCKED)

    @extend_schema(request=None, responses={405: None})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._locked()

    @extend_schema(request=None, responses={405: None})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._locked()

    @extend_schema(responses={405: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._locked()

    def get_queryset(self) -> Any:
        return self.queryset.restrict(self.request.user, "view")  # type: ignore[attr-defined]

    @extend_schema(request=CorrectionCreateSerializer, responses={201: CorrectionSerializer})
    @action(detail=True, methods=["post"], url_path="corrections")
    def request_correction(self, request: Request, pk: Any = None) -> Response:
        call = self.get_object()
        data = _valid(CorrectionCreateSerializer, request)
        correction = corrections.correction_request(actor=_user(request), call=call, **data)
        return Response(CorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=dict)
    @action(detail=False, methods=["get"], url_path="statistics")
    def statistics(self, request: Request) -> Response:
        rows = stats.agent_statistics(actor=_user(request), period=request.query_params.get("period", "day"))
        return Response(
            [
                {
                    "agent": r.agent_id,
                    "agent_name": r.agent_name,
                    "period": r.period.isoformat(),
                    "calls": r.calls,
                    "talk_seconds": r.talk_seconds,
                    "connected": r.connected,
                    "connect_rate": r.connect_rate,
                    "intent_conversion": r.intent_conversion,
                    "deals": r.deals,
                    "corrected": r.corrected,
                    "accuracy": r.accuracy,
                }
                for r in rows
            ]
        )


class CallCorrectionViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet[CallCorrection]):  # type: ignore[misc]
    """Change requests for calls (TEL-3); decided in the approvals API."""

    queryset = CallCorrection.objects.all()
    serializer_class = CorrectionSerializer


class ReceptionRecordViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[ReceptionRecord]
):
    """Reception records (ACT-7), scoped by their customer."""

    queryset = ReceptionRecord.objects.all()
    serializer_class = ReceptionSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(ReceptionSerializer, request)
        record = receptions.reception_record(actor=_user(request), customer=data.pop("customer_id"), **data)
        return Response(ReceptionSerializer(record).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    router.register("call-lists", CallListViewSet)
    router.register("call-entries", CallEntryViewSet)
    router.register("calls", CallLogViewSet)
    router.register("call-corrections", CallCorrectionViewSet)
    router.register("reception-records", ReceptionRecordViewSet)
