"""Fines: the enterprise pays (an order and the cashier to send the payer to) and asks for deferral or
instalments; an officer of the case's department decides the request and applies for compulsory enforcement."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, documented
from programs.roles import ENFORCEMENT, ENFORCEMENT_AND_ENTERPRISE

from .. import fine_selectors
from ..models import Fine, FineArrangement, FineInstalment
from ..services import fine_arrangements, fines
from ._common import InspectionReasonSerializer


class FineInstalmentSerializer(ModelSerializer):
    class Meta:
        model = FineInstalment
        fields = ["number", "amount", "due_date", "paid_at"]


class FineSerializer(ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    enterprise = serializers.IntegerField(source="case.enterprise_id", read_only=True)
    instalments = FineInstalmentSerializer(many=True, read_only=True)

    class Meta:
        model = Fine
        fields = [
            "id",
            "case",
            "case_number",
            "enterprise",
            "amount",
            "served_on",
            "original_due_date",
            "due_date",
            "status",
            "principal_paid",
            "late_fee",
            "late_fee_through",
            "late_fee_paid",
            "late_fee_waived",
            "waiver_policy",
            "paid_at",
            "enforcement_applied_at",
            "instalments",
        ]


class PaymentStartSerializer(serializers.Serializer):
    """What the payer is asked for now, and where to pay it."""

    reference = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    principal = serializers.DecimalField(max_digits=12, decimal_places=2)
    late_fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    cashier_url = serializers.CharField()


class FineArrangementSerializer(ModelSerializer):
    class Meta:
        model = FineArrangement
        fields = [
            "id",
            "fine",
            "kind",
            "reason",
            "defer_until",
            "instalments",
            "status",
            "requested_at",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = ["fine", "status", "requested_at", "decided_at", "decision_note"]


class ArrangementDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


@documented(
    FineSerializer,
    "list",
    "retrieve",
    pay=(201, PaymentStartSerializer),
    arrangements=(201, FineArrangementSerializer),
    enforcement=200,
)
class FineViewSet(viewsets.ReadOnlyModelViewSet):
    """Fines of served penalty decisions, in the caller's scope (an enterprise sees its own)."""

    serializer_class = FineSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT_AND_ENTERPRISE
    allowed_roles = ENFORCEMENT_AND_ENTERPRISE
    filterset_fields = ["status"]

    def get_queryset(self):
        return fine_selectors.fine_list(user=self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """The enterprise pays: an order for what is due today (the next instalment or the whole fine, the late
        fee with the last payment unless waived), and the payment backend's cashier."""
        order, cashier = fines.fine_pay_start(fine=self.get_object(), actor=request.user)
        answer = {
            "reference": order.reference,
            "amount": order.amount,
            "principal": order.breakdown["principal"],
            "late_fee": order.breakdown["late_fee"],
            "cashier_url": request.build_absolute_uri(cashier),
        }
        return Response(PaymentStartSerializer(answer).data, status=201)

    @extend_schema(request=FineArrangementSerializer)
    @action(detail=True, methods=["post"])
    def arrangements(self, request, pk=None):
        """The enterprise asks to defer the fine (``defer_until``) or pay it in ``instalments``."""
        data = FineArrangementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        arrangement = fine_arrangements.fine_arrangement_request(
            fine=self.get_object(),
            actor=request.user,
            kind=values["kind"],
            reason=values["reason"],
            defer_until=values.get("defer_until"),
            instalments=values.get("instalments"),
        )
        return Response(FineArrangementSerializer(arrangement).data, status=201)

    @extend_schema(request=InspectionReasonSerializer)
    @action(detail=True, methods=["post"])
    def enforcement(self, request, pk=None):
        """An officer of the case's department applies for compulsory enforcement of an overdue fine."""
        data = InspectionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fine = fine_arrangements.fine_enforcement_apply(
            fine=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(self.get_serializer(fine_selectors.fine_list(user=request.user).get(pk=fine.pk)).data)


@documented(FineArrangementSerializer, "list", "retrieve", decide=200)
class FineArrangementViewSet(viewsets.ReadOnlyModelViewSet):
    """Requests for deferral or instalments; an officer of the case's department decides them."""

    serializer_class = FineArrangementSerializer
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT_AND_ENTERPRISE
    allowed_roles = ENFORCEMENT
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return fine_selectors.fine_arrangement_list(user=self.request.user)

    @extend_schema(request=ArrangementDecisionSerializer, responses={200: FineArrangementSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = ArrangementDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        arrangement = fine_arrangements.fine_arrangement_decide(
            arrangement=self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(self.get_serializer(arrangement).data)
