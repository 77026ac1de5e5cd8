"""Archives API: /api/v1/archive-documents/ (ARC-2, with /file/), /archive-borrowings/ (ARC-1, with
/return/), /archive-access-log/ and /export-log/ (read-only logs).

Reads are scoped by ``restrict`` (clearance for documents; own / department / all for the rest);
writes call the services, which check the verb, the clearance and validate.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from yingxiao.core.api import RestrictedReadOnlyViewSet, RestrictedViewSetMixin
from yingxiao.org.models import Department, User

from . import services
from .models import Borrowing, Document, DocumentAccess, ExportLog


class DocumentSerializer(serializers.ModelSerializer[Document]):
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id", "number", "title", "category", "level", "department", "custodian", "description", "location",
            "file_name", "has_file", "status", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_file(self, obj: Document) -> bool:
        return bool(obj.file)


class DocumentCreateSerializer(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=200)
    level = serializers.CharField(max_length=20)
    category = serializers.CharField(max_length=20, required=False, default=Document.Category.OTHER)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    custodian = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True)


class DocumentUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    level = serializers.CharField(max_length=20, required=False)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema(request=DocumentCreateSerializer)
class DocumentViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Document],
):
    """rule: ARC-2 — documents up to the caller's clearance; viewing a classified one is logged."""

    queryset = Document.objects.select_related("department", "custodian")
    serializer_class = DocumentSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document = services.document_view(actor=request.user, pk=kwargs["pk"], via="api")  # type: ignore[arg-type]
        return Response(DocumentSerializer(document).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = DocumentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        document = services.document_register(actor=request.user, **dict(incoming.validated_data))  # type: ignore[arg-type]
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DocumentUpdateSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document = self.get_object()
        incoming = DocumentUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        document = services.document_update(actor=request.user, document=document, **dict(incoming.validated_data))  # type: ignore[arg-type]
        return Response(DocumentSerializer(document).data)

    @extend_schema(responses={200: OpenApiResponse(description="The stored file")})
    @action(detail=True, methods=["get"], url_path="file")
    def file(self, request: Request, pk: Any = None) -> FileResponse:
        """rule: ARC-2 — the stored file, with the right to open it; logged for classified documents."""
        document = services.document_download(actor=request.user, pk=pk, via="api")  # type: ignore[arg-type]
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file_name or None)


class BorrowingSerializer(serializers.ModelSerializer[Borrowing]):
    class Meta:
        model = Borrowing
        fields = [
            "id", "document", "borrower", "department", "purpose", "due_date", "status", "requested_at", "lent_at",
            "returned_at", "received_by", "condition", "inspection_note",
        ]  # fmt: skip
        read_only_fields = fields


class BorrowingCreateSerializer(serializers.Serializer[Any]):
    document = serializers.IntegerField()
    due_date = serializers.DateField()
    purpose = serializers.CharField(max_length=4000)


class BorrowingReturnSerializer(serializers.Serializer[Any]):
    condition = serializers.ChoiceField(choices=Borrowing.Condition.choices)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


@extend_schema(request=BorrowingCreateSerializer)
class BorrowingViewSet(  # type: ignore[misc]
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Borrowing],
):
    """rule: ARC-1 — borrowing requests (approved through /api/v1/approvals/), returns with inspection."""

    queryset = Borrowing.objects.select_related("document", "borrower")
    serializer_class = BorrowingSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = BorrowingCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        borrowing = services.borrowing_request(
            actor=request.user,  # type: ignore[arg-type]
            document_id=data["document"],
            due_date=data["due_date"],
            purpose=data["purpose"],
        )
        return Response(BorrowingSerializer(borrowing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BorrowingReturnSerializer, responses={200: BorrowingSerializer})
    @action(detail=True, methods=["post"], url_path="return", permission_classes=[IsAuthenticated])
    def take_back(self, request: Request, pk: Any = None) -> Response:
        """rule: ARC-1 — the keeper or custodian takes the archive back and records its condition."""
        borrowing = Borrowing.objects.select_related("document").filter(pk=pk).first()
        user = request.user
        if borrowing is None or not (
            user.has_perm("archives.inspect_borrowing") or borrowing.document.custodian_id == user.pk
        ):
            from yingxiao.core.errors import NOT_FOUND, BusinessError

            raise BusinessError(NOT_FOUND)
        incoming = BorrowingReturnSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        borrowing = services.borrowing_return(
            actor=user,  # type: ignore[arg-type]
            borrowing=borrowing,
            condition=incoming.validated_data["condition"],
            note=incoming.validated_data["note"],
        )
        return Response(BorrowingSerializer(borrowing).data)


class DocumentAccessSerializer(serializers.ModelSerializer[DocumentAccess]):
    class Meta:
        model = DocumentAccess
        fields = ["id", "document", "user", "at", "action", "level", "via", "borrowing"]
        read_only_fields = fields


class DocumentAccessViewSet(RestrictedReadOnlyViewSet):
    """rule: ARC-2 — who viewed or downloaded which classified document, when."""

    queryset = DocumentAccess.objects.all()
    serializer_class = DocumentAccessSerializer


class ExportLogSerializer(serializers.ModelSerializer[ExportLog]):
    class Meta:
        model = ExportLog
        fields = ["id", "user", "at", "list_name", "filters", "row_count", "file_format", "status", "refused_code"]
        read_only_fields = fields


class ExportLogViewSet(RestrictedReadOnlyViewSet):
    """rule: ARC-2 — every export: who, when, which list, the filter, the row count."""

    queryset = ExportLog.objects.all()
    serializer_class = ExportLogSerializer


def register(router: BaseRouter) -> None:
    router.register("archive-documents", DocumentViewSet, basename="archive-document")
    router.register("archive-borrowings", BorrowingViewSet, basename="archive-borrowing")
    router.register("archive-access-log", DocumentAccessViewSet, basename="archive-access")
    router.register("export-log", ExportLogViewSet, basename="export-log")
