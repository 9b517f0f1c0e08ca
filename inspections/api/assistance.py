"""Joint assistance (联合帮扶): cases with a lead department and participants, their tasks done by their owners,
closed by the lead department; the enterprise reads its own."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.models import Department, Enterprise, User
from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, RefuseUnknownFields, documented
from programs.roles import ENFORCEMENT, ENFORCEMENT_AND_ENTERPRISE
from programs.selectors import department_list, enterprise_list, scope

from .. import request_selectors, selectors, services
from ..models import AssistanceCase, AssistanceTask, EnterpriseRequest, Finding, ObservationPeriod


class AssistanceTaskSerializer(ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = AssistanceTask
        fields = ["id", "case", "department", "department_name", "owner", "title", "deadline", "status", "note"]
        fields += ["done_at", "overdue"]
        read_only_fields = fields


class AssistanceCaseSerializer(ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    lead_department_name = serializers.CharField(source="lead_department.name", read_only=True)
    tasks = AssistanceTaskSerializer(many=True, read_only=True)

    class Meta:
        model = AssistanceCase
        fields = [
            "id",
            "reference",
            "enterprise",
            "enterprise_name",
            "title",
            "problem",
            "finding",
            "observation_period",
            "request",
            "lead_department",
            "lead_department_name",
            "departments",
            "target_on",
            "status",
            "opened_at",
            "resolution",
            "closed_at",
            "tasks",
        ]
        read_only_fields = fields


class AssistanceOpenSerializer(RefuseUnknownFields, serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.none(), required=False)
    finding = serializers.PrimaryKeyRelatedField(queryset=Finding.objects.none(), required=False)
    observation_period = serializers.PrimaryKeyRelatedField(queryset=ObservationPeriod.objects.none(), required=False)
    request = serializers.PrimaryKeyRelatedField(queryset=EnterpriseRequest.objects.none(), required=False)
    title = serializers.CharField(max_length=120)
    problem = serializers.CharField()
    lead_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True)
    target_on = serializers.DateField()

    def get_fields(self):
        fields = super().get_fields()
        user = self.context["request"].user
        fields["enterprise"].queryset = enterprise_list(user=user)
        fields["finding"].queryset = selectors.finding_list(user=user)
        fields["observation_period"].queryset = selectors.observation_period_list(user=user)
        fields["request"].queryset = request_selectors.request_list(user=user)
        in_area = scope(department_list(), user, region="region")  # never another county's departments
        fields["lead_department"].queryset = in_area
        fields["departments"].child_relation.queryset = in_area
        return fields


class AssistanceTaskAddSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    title = serializers.CharField(max_length=200)
    deadline = serializers.DateField()


class AssistanceCloseSerializer(serializers.Serializer):
    resolution = serializers.CharField()


class AssistanceCancelSerializer(serializers.Serializer):
    reason = serializers.CharField()


class AssistanceTaskDoneSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


@documented(
    AssistanceCaseSerializer, "list", "retrieve", "create", tasks=(201, AssistanceTaskSerializer), close=200, cancel=200
)
class AssistanceCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Joint assistance cases: opened by the lead department or a coordinator (from a finding, an observation
    period or a request), tasks set by the lead, closed by the lead with the resolution."""

    serializer_class = AssistanceCaseSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT_AND_ENTERPRISE
    allowed_roles = ENFORCEMENT
    filterset_fields = ["status", "enterprise", "lead_department"]

    def get_queryset(self):
        return request_selectors.assistance_list(user=self.request.user).order_by("-opened_at", "-id")

    @extend_schema(request=AssistanceOpenSerializer)
    def create(self, request):
        data = AssistanceOpenSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        case = services.assistance_open(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssistanceTaskAddSerializer, responses={201: AssistanceTaskSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def tasks(self, request, pk=None):
        data = AssistanceTaskAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.assistance_task_add(case=self.get_object(), actor=request.user, **data.validated_data)
        return Response(AssistanceTaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssistanceCloseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = AssistanceCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.assistance_close(case=self.get_object(), actor=request.user, **data.validated_data)
        return Response(self.get_serializer(case).data)

    @extend_schema(request=AssistanceCancelSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = AssistanceCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.assistance_cancel(case=self.get_object(), actor=request.user, **data.validated_data)
        return Response(self.get_serializer(case).data)


@documented(AssistanceTaskSerializer, "list", "retrieve", done=200)
class AssistanceTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Tasks of joint assistance cases; the owner marks theirs done."""

    serializer_class = AssistanceTaskSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT
    allowed_roles = ENFORCEMENT
    filterset_fields = ["status", "case", "department", "owner"]

    def get_queryset(self):
        return request_selectors.assistance_task_list(user=self.request.user).order_by("deadline", "id")

    @extend_schema(request=AssistanceTaskDoneSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        data = AssistanceTaskDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.assistance_task_done(task=self.get_object(), actor=request.user, **data.validated_data)
        return Response(self.get_serializer(task).data)
