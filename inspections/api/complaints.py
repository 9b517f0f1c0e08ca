"""Complaints (投诉举报) for staff: the list of their area's (an officer: their department's), a call taken by
phone, and the handling department's moves. The complainant's name and phone are masked for everyone but the
handling department."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.filters import StrictFilterSet
from programs.models import Enterprise, Region
from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, RefuseUnknownFields, documented
from programs.roles import Role
from programs.selectors import enterprise_list

from .. import complaint_selectors
from ..models import Complaint, ComplaintCategory, InspectionItem
from ..services import complaints as complaint_services

COMPLAINT_STAFF = (Role.COORDINATOR, Role.OFFICER, Role.GRID_WORKER, Role.GRID_MANAGER)


class ComplaintSerializer(ModelSerializer):
    complainant_name = serializers.SerializerMethodField(help_text="In full for the handling department, else masked.")
    complainant_phone = serializers.SerializerMethodField(help_text="In full for the handling department, else masked.")
    department_name = serializers.CharField(source="department.name", read_only=True)
    replied_on_time = serializers.BooleanField(read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "channel",
            "category",
            "region",
            "enterprise",
            "business_name",
            "address",
            "description",
            "complainant_name",
            "complainant_phone",
            "department",
            "department_name",
            "status",
            "outcome",
            "acknowledge_due_at",
            "reply_due_at",
            "acknowledged_at",
            "replied_at",
            "replied_on_time",
            "reply",
            "inspection",
            "created_at",
        ]
        read_only_fields = fields

    def _pair(self, complaint):
        return complaint_services.complainant_for(self.context["request"].user, complaint)

    def get_complainant_name(self, complaint) -> str:
        return self._pair(complaint)[0]

    def get_complainant_phone(self, complaint) -> str:
        return self._pair(complaint)[1]


class PhoneComplaintSerializer(RefuseUnknownFields, serializers.Serializer):
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all(), required=False, allow_null=True)
    business_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=4000)
    complainant_name = serializers.CharField(max_length=100)
    complainant_phone = serializers.CharField(max_length=20)

    def validate_enterprise(self, value):
        if value is not None and not enterprise_list(user=self.context["request"].user).filter(pk=value.pk).exists():
            raise serializers.ValidationError("Choose an enterprise of your own area.", code="out_of_scope")
        return value


class ReplySerializer(RefuseUnknownFields, serializers.Serializer):
    reply = serializers.CharField(max_length=4000)
    outcome = serializers.ChoiceField(choices=[("", ""), ("no_action", "no_action")], required=False, default="")


class LinkEnterpriseSerializer(RefuseUnknownFields, serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())

    def validate_enterprise(self, value):
        if not enterprise_list(user=self.context["request"].user).filter(pk=value.pk).exists():
            raise serializers.ValidationError("Choose an enterprise of your own area.", code="out_of_scope")
        return value


class OpenInspectionSerializer(RefuseUnknownFields, serializers.Serializer):
    items = serializers.PrimaryKeyRelatedField(
        queryset=InspectionItem.objects.filter(is_active=True), many=True, required=False
    )


class ComplaintFilter(StrictFilterSet):
    class Meta:
        model = Complaint
        fields = ["status", "category", "department", "outcome", "channel"]


@documented(
    ComplaintSerializer,
    "list",
    "retrieve",
    "create",
    acknowledge=200,
    reply=200,
    close=200,
    link_enterprise=200,
    open_inspection=200,
    offer_guidance=200,
)
class ComplaintViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Complaints of the caller's area; a staff member records a call (``POST``); the handling department
    acknowledges, replies, closes, and may open a complaint-triggered inspection or offer guidance."""

    serializer_class = ComplaintSerializer
    permission_classes = [HasRole]
    read_roles = COMPLAINT_STAFF
    allowed_roles = COMPLAINT_STAFF
    filterset_class = ComplaintFilter

    def get_queryset(self):
        return complaint_selectors.complaint_list(user=self.request.user)

    @extend_schema(request=PhoneComplaintSerializer, responses={201: ComplaintSerializer, **ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        data = PhoneComplaintSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        complaint = complaint_services.complaint_file(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(complaint).data, status=status.HTTP_201_CREATED)

    def _answer(self, complaint):
        return Response(self.get_serializer(complaint).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._answer(complaint_services.complaint_acknowledge(complaint=self.get_object(), actor=request.user))

    @extend_schema(request=ReplySerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        complaint = self.get_object()
        data = ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            complaint_services.complaint_reply(complaint=complaint, actor=request.user, **data.validated_data)
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._answer(complaint_services.complaint_close(complaint=self.get_object(), actor=request.user))

    @extend_schema(request=LinkEnterpriseSerializer)
    @action(detail=True, methods=["post"], url_path="link-enterprise")
    def link_enterprise(self, request, pk=None):
        complaint = self.get_object()
        data = LinkEnterpriseSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        return self._answer(
            complaint_services.complaint_link_enterprise(complaint=complaint, actor=request.user, **data.validated_data)
        )

    @extend_schema(request=OpenInspectionSerializer)
    @action(detail=True, methods=["post"], url_path="open-inspection")
    def open_inspection(self, request, pk=None):
        complaint = self.get_object()
        data = OpenInspectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            complaint_services.complaint_open_inspection(
                complaint=complaint, actor=request.user, items=data.validated_data.get("items")
            )
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="offer-guidance")
    def offer_guidance(self, request, pk=None):
        return self._answer(
            complaint_services.complaint_offer_guidance(complaint=self.get_object(), actor=request.user)
        )
