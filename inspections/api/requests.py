"""Enterprise requests (企业诉求): filed by the enterprise or its grid manager, handled by the responsible
department or community, rated by the enterprise; and the routing table, read-only (edited in the admin)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.models import Enterprise, User
from programs.rest import HasRole, ModelSerializer, RefuseUnknownFields, documented
from programs.roles import STAFF, Role
from programs.selectors import enterprise_list

from .. import request_selectors, services
from ..models import EnterpriseRequest, RequestRoute

FILERS_AND_HANDLERS = (Role.ENTERPRISE, Role.COORDINATOR, Role.OFFICER, Role.GRID_WORKER, Role.GRID_MANAGER)


# "EnterpriseRequest" is already the name of the enterprise serializer's request body in the schema.
@extend_schema_serializer(component_name="FiledEnterpriseRequest")
class EnterpriseRequestSerializer(ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default=None, allow_null=True)
    community_name = serializers.CharField(source="community.name", read_only=True, default=None, allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = EnterpriseRequest
        fields = [
            "id",
            "reference",
            "enterprise",
            "enterprise_name",
            "category",
            "title",
            "description",
            "channel",
            "created_at",
            "department",
            "department_name",
            "community",
            "community_name",
            "owner",
            "due_at",
            "overdue",
            "status",
            "reply",
            "answered_at",
            "answered_on_time",
            "escalated_at",
            "rating",
            "rating_comment",
            "rated_at",
        ]
        read_only_fields = fields


class RequestFileSerializer(RefuseUnknownFields, serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.none(), required=False, help_text="Staff: the enterprise filed for."
    )
    category = serializers.ChoiceField(choices=EnterpriseRequest._meta.get_field("category").choices)
    title = serializers.CharField(max_length=120)
    description = serializers.CharField()
    channel = serializers.ChoiceField(choices=EnterpriseRequest.Channel.choices, required=False, default="")
    submission_key = serializers.CharField(max_length=64, required=False, default="")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:  # an enterprise it may see; the service says whether the caller serves it
            fields["enterprise"].queryset = enterprise_list(user=request.user)
        return fields

    def validate(self, attrs):
        user = self.context["request"].user
        if "enterprise" not in attrs:
            if user.role != User.Role.ENTERPRISE or not user.enterprise_id:
                raise serializers.ValidationError({"enterprise": [_("Name the enterprise.")]}, code="required")
            attrs["enterprise"] = user.enterprise
        return attrs


class RequestAssignSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class RequestAnswerSerializer(serializers.Serializer):
    reply = serializers.CharField()


class RequestRateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RequestWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@documented(
    EnterpriseRequestSerializer,
    "list",
    "retrieve",
    "create",
    accept=200,
    assign=200,
    answer=200,
    rate=200,
    withdraw=200,
)
class EnterpriseRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Enterprise requests: an enterprise files its own and rates the answer; a grid manager or coordinator
    files for an enterprise they serve; the responsible department's officers or the community's staff accept,
    give on, and answer. Late ones are escalated by the scheduler."""

    serializer_class = EnterpriseRequestSerializer
    permission_classes = [HasRole]
    read_roles = FILERS_AND_HANDLERS
    allowed_roles = FILERS_AND_HANDLERS
    filterset_fields = ["status", "category", "enterprise", "department"]

    def get_queryset(self):
        return request_selectors.request_list(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=RequestFileSerializer)
    def create(self, request):
        data = RequestFileSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        filed = services.request_file(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(filed).data, status=status.HTTP_201_CREATED)

    def _answer(self, filed):
        return Response(self.get_serializer(filed).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(services.request_accept(request=self.get_object(), actor=request.user))

    @extend_schema(request=RequestAssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = RequestAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            services.request_assign(request=self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=RequestAnswerSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = RequestAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            services.request_answer(request=self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=RequestRateSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        data = RequestRateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.request_rate(request=self.get_object(), actor=request.user, **data.validated_data))

    @extend_schema(request=RequestWithdrawSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = RequestWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            services.request_withdraw(request=self.get_object(), actor=request.user, **data.validated_data)
        )


class RequestRouteSerializer(ModelSerializer):
    class Meta:
        model = RequestRoute
        fields = ["id", "category", "region", "department", "community", "owner", "response_days", "is_active"]


@documented(RequestRouteSerializer, "list", "retrieve")
class RequestRouteViewSet(viewsets.ReadOnlyModelViewSet):
    """The routing table of enterprise requests (category × area → department or community); edited in the
    admin by coordinators."""

    serializer_class = RequestRouteSerializer
    permission_classes = [HasRole]
    read_roles = STAFF
    allowed_roles = ()
    filterset_fields = ["category", "department", "is_active"]

    def get_queryset(self):
        return request_selectors.request_route_list(user=self.request.user)
