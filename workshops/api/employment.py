"""Employments with their monthly income records and the increase over the baseline."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, documented
from programs.roles import WORKSHOP_DECIDERS, Role

from .. import selectors, services
from ..models import Employment, IncomeRecord


class IncomeRecordSerializer(ModelSerializer):
    increase = serializers.SerializerMethodField()

    class Meta:
        model = IncomeRecord
        fields = ["id", "month", "income", "increase"]

    def get_increase(self, record) -> str:
        return str(record.income - record.employment.registration.baseline_monthly_income)


class EmploymentSerializer(ModelSerializer):
    resident_name = serializers.CharField(source="registration.resident.name", read_only=True)
    position_title = serializers.CharField(source="registration.position.title", read_only=True)
    workshop_name = serializers.CharField(source="registration.position.workshop.name", read_only=True)
    baseline_monthly_income = serializers.DecimalField(
        source="registration.baseline_monthly_income", max_digits=9, decimal_places=2, read_only=True
    )
    income_records = IncomeRecordSerializer(many=True, read_only=True)

    class Meta:
        model = Employment
        fields = [
            "id",
            "registration",
            "resident_name",
            "position_title",
            "workshop_name",
            "start_date",
            "end_date",
            "wage",
            "wage_unit",
            "baseline_monthly_income",
            "income_records",
        ]


class IncomeSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="Any day of the month; stored as its first day.")
    income = serializers.DecimalField(max_digits=9, decimal_places=2)


class EndSerializer(serializers.Serializer):
    end_date = serializers.DateField()


@documented(EmploymentSerializer, "list", "retrieve")
class EmploymentViewSet(viewsets.ReadOnlyModelViewSet):
    """Employments with their monthly income records and the increase over the baseline."""

    serializer_class = EmploymentSerializer
    permission_classes = [HasRole]
    read_roles = (Role.ORGANISER, Role.GRID_WORKER, Role.ENTERPRISE, Role.RESIDENT)
    allowed_roles = WORKSHOP_DECIDERS
    filterset_fields = ["registration__position__workshop"]

    def get_queryset(self):
        return selectors.employment_list(user=self.request.user)

    @extend_schema(request=IncomeSerializer, responses={200: EmploymentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def income(self, request, pk=None):
        """Record (or correct) the income of one month."""
        data = IncomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        employment = self.get_object()
        services.income_record(
            employment=employment,
            actor=request.user,
            month=data.validated_data["month"],
            income=data.validated_data["income"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=employment.pk)).data)

    @extend_schema(request=EndSerializer, responses={200: EmploymentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        employment = services.employment_end(
            employment=self.get_object(), actor=request.user, end_date=data.validated_data["end_date"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=employment.pk)).data)
