"""Markets (大市集): events of several workshops, from any region, recorded by organisers with the workshops that
took part and the supply points outside the city they opened; seen by whoever sees one of those workshops."""

from decimal import ROUND_HALF_UP, Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, RefuseUnknownFields, documented
from programs.roles import ORGANISERS, WORKSHOP_STAFF, Role

from .. import selectors, services
from ..models import Market, MarketParticipation, SupplyPoint
from ._common import ReasonSerializer, read_reason


class MarketParticipationSerializer(RefuseUnknownFields, ModelSerializer):
    workshop_name = serializers.CharField(source="workshop.name", read_only=True)

    class Meta:
        model = MarketParticipation
        fields = ["workshop", "workshop_name", *services.PARTICIPATION_FIELDS[1:]]


class SupplyPointSerializer(RefuseUnknownFields, ModelSerializer):
    workshop_name = serializers.CharField(source="workshop.name", read_only=True)

    class Meta:
        model = SupplyPoint
        fields = ["workshop", "workshop_name", "city", "address"]


class MarketSerializer(RefuseUnknownFields, ModelSerializer):
    participations = MarketParticipationSerializer(
        many=True, allow_empty=False, help_text="The workshops that took part, each once, with their figures."
    )
    supply_points = SupplyPointSerializer(
        many=True, required=False, help_text="Supply points outside the city opened for workshops taking part."
    )
    stalls = serializers.SerializerMethodField(help_text="All the workshops' stalls.")
    revenue = serializers.SerializerMethodField(help_text="All the workshops' stall revenue, yuan.")
    average_revenue_per_stall = serializers.SerializerMethodField(help_text="Revenue ÷ stalls, yuan; null: none.")

    class Meta:
        model = Market
        fields = [
            "id",
            *services.MARKET_FIELDS,
            "is_cancelled",
            "participations",
            "supply_points",
            "stalls",
            "revenue",
            "average_revenue_per_stall",
        ]
        read_only_fields = ["is_cancelled"]

    def get_stalls(self, market) -> int:
        return sum(p.stalls for p in market.participations.all())

    def get_revenue(self, market) -> str:
        return str(_fen(sum((p.revenue for p in market.participations.all()), start=Decimal(0))))

    def get_average_revenue_per_stall(self, market) -> str | None:
        stalls = self.get_stalls(market)
        return str(_fen(Decimal(self.get_revenue(market)) / stalls)) if stalls else None


def _fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@documented(MarketSerializer, "list", "retrieve", "create")
class MarketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Markets (大市集) with the workshops that took part and the supply points outside the city: organisers
    record them; staff and enterprises see those in which one of their workshops took part."""

    serializer_class = MarketSerializer
    permission_classes = [HasRole]
    read_roles = (*WORKSHOP_STAFF, Role.ENTERPRISE)
    allowed_roles = ORGANISERS
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["is_cancelled"]

    def get_queryset(self):
        return selectors.market_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        market = services.market_record(
            actor=self.request.user,
            participations=data.pop("participations"),
            supply_points=data.pop("supply_points", []),
            **data,
        )
        serializer.instance = selectors.market_list(user=self.request.user).get(pk=market.pk)

    @extend_schema(request=ReasonSerializer, responses={200: MarketSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = read_reason(request)
        market = services.market_cancel(market=self.get_object(), actor=request.user, reason=reason)
        return Response(self.get_serializer(self.get_queryset().get(pk=market.pk)).data)
