"""Inspections: the officer's mobile flow from the week's schedule to the findings."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from programs.filters import StrictBooleanFilter, StrictFilterSet
from programs.models import Grade, User
from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, documented
from programs.roles import ENFORCEMENT, ENFORCEMENT_AND_ENTERPRISE

from .. import selectors, services
from ..models import Finding, Inspection, InspectionItem, ItemCheck
from ._common import InspectionReasonSerializer
from .findings import FindingSerializer
from .visits import (
    VISIT_RECORD_DESCRIPTION,
    VISIT_RECORD_EXAMPLE,
    CodeNotShownSerializer,
    VisitRecordFormSerializer,
    VisitRecordSerializer,
    visit_input,
)


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OfficerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class ItemRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    department = serializers.IntegerField(source="department_id")
    simple = serializers.BooleanField()


class InspectionSerializer(ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    enterprise_address = serializers.CharField(source="enterprise.address", read_only=True)
    lead_department_name = serializers.CharField(source="lead_department.name", read_only=True)
    departments = DepartmentRefSerializer(many=True, read_only=True)
    officers = OfficerRefSerializer(many=True, read_only=True)
    items = ItemRefSerializer(many=True, read_only=True)
    code = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "enterprise_address",
            "month",
            "week_start",
            "visit_date",
            "is_joint",
            "lead_department",
            "lead_department_name",
            "departments",
            "officers",
            "items",
            "mode",
            "status",
            "code",
            "verify_url",
            "code_shown_at",
            "code_not_shown_reason",
            "code_not_shown_note",
            "started_at",
            "completed_at",
            "cancel_reason",
            "summary",
        ]

    def get_code(self, inspection) -> str:
        return services.format_code(inspection.code)

    def get_verify_url(self, inspection) -> str | None:
        if not inspection.code:
            return None
        return self.context["request"].build_absolute_uri(f"/verify/{inspection.code}/")


class VisitRecordAnswerSerializer(InspectionSerializer):
    enterprise_grade = serializers.ChoiceField(
        choices=Grade.choices, source="enterprise.grade", read_only=True, help_text="The colour after completion."
    )

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "enterprise_grade"]


class ShowCodeSerializer(serializers.Serializer):
    shown_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When the phone showed it, if offline; default now."
    )


class InspectionFilter(StrictFilterSet):
    when = django_filters.ChoiceFilter(
        choices=[("today", "today"), ("week", "week")], method="filter_when", label="today or week"
    )
    mine = StrictBooleanFilter(method="filter_mine", label="assigned to me")

    class Meta:
        model = Inspection
        fields = ["status", "month", "week_start", "enterprise", "is_joint"]

    def filter_when(self, queryset, name, value):
        today = timezone.localdate()
        week = selectors.inspections_this_week(queryset, today=today)
        if value == "week":
            return week
        return week.filter(visit_date=today) | queryset.filter(status=Inspection.Status.IN_PROGRESS)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(officers=self.request.user) if value else queryset


class ScheduleSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    visit_date = serializers.DateField(required=False, allow_null=True)
    officers = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(role=User.Role.OFFICER), many=True)


class CompleteSerializer(CodeNotShownSerializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class CheckSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.all())
    result = serializers.ChoiceField(choices=ItemCheck.Result.choices, default=ItemCheck.Result.COMPLIANT)


class CheckAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id")
    checked_by_department = serializers.IntegerField(source="checked_by_department_id")
    on_behalf_of = serializers.IntegerField(source="on_behalf_of_id", allow_null=True)
    result = serializers.ChoiceField(choices=ItemCheck.Result.choices)


class FindingCreateSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.all())
    severity = serializers.ChoiceField(choices=Finding.Severity.choices)
    description = serializers.CharField()
    deadline = serializers.DateField()
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


@documented(InspectionSerializer, "list", "retrieve")
class InspectionViewSet(viewsets.ReadOnlyModelViewSet):
    """Inspections: officers see their department's (``when=today|week``, ``mine=true``), coordinators their
    region's, an enterprise user its own. Officers schedule, show the code, start, check items, record findings
    and complete."""

    serializer_class = InspectionSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT_AND_ENTERPRISE
    allowed_roles = ENFORCEMENT
    filterset_class = InspectionFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.inspection_list(user=self.request.user)

    def _answer(self, inspection, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data, status=code)

    @extend_schema(request=ScheduleSerializer, responses={200: InspectionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = services.inspection_schedule(
            inspection=self.get_object(), actor=request.user, **data.validated_data
        )
        return self._answer(inspection)

    @extend_schema(request=ShowCodeSerializer, responses={200: InspectionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="show-code")
    def show_code(self, request, pk=None):
        data = ShowCodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            services.inspection_show_code(
                inspection=self.get_object(), actor=request.user, shown_at=data.validated_data["shown_at"]
            )
        )

    @extend_schema(
        request=None,
        responses={200: InspectionSerializer, **ERROR_RESPONSES},
        description="Start the visit. Starting does not show the code: that is `show-code`, its own act.",
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._answer(services.inspection_start(inspection=self.get_object(), actor=request.user))

    @extend_schema(
        request=CompleteSerializer,
        responses={200: InspectionSerializer, **ERROR_RESPONSES},
        description="Complete the visit once every item is answered. If its code was not shown (`show-code`), "
        "`code_not_shown_reason` is required (`other` with `code_not_shown_note`): 400 "
        "`code_not_shown_reason_required` naming the field otherwise.",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = services.inspection_complete(
            inspection=self.get_object(), actor=request.user, **data.validated_data
        )
        return self._answer(inspection)

    @extend_schema(
        request={"application/json": VisitRecordSerializer, "multipart/form-data": VisitRecordFormSerializer},
        responses={200: VisitRecordAnswerSerializer, **ERROR_RESPONSES},
        description=VISIT_RECORD_DESCRIPTION,
        examples=[VISIT_RECORD_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="visit-record")
    def visit_record(self, request, pk=None):
        inspection = services.visit_record(inspection=self.get_object(), actor=request.user, **visit_input(request))
        answer = self.get_queryset().get(pk=inspection.pk)
        return Response(VisitRecordAnswerSerializer(answer, context=self.get_serializer_context()).data)

    @extend_schema(request=InspectionReasonSerializer, responses={200: InspectionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = InspectionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = services.inspection_cancel(inspection=self.get_object(), actor=request.user, **data.validated_data)
        return self._answer(inspection)

    @extend_schema(request=CheckSerializer, responses={201: CheckAnswerSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def checks(self, request, pk=None):
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.item_check_record(inspection=self.get_object(), actor=request.user, **data.validated_data)
        return Response(CheckAnswerSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FindingCreateSerializer, responses={201: FindingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        data = FindingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = services.finding_record(inspection=self.get_object(), actor=request.user, **data.validated_data)
        finding = selectors.finding_list(user=request.user).get(pk=finding.pk)
        return Response(FindingSerializer(finding, context=self.get_serializer_context()).data, status=201)
