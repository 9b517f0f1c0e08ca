"""Service ordering (点单式服务): the community's catalogue and the enterprises' orders. Community staff publish
services and take orders; an enterprise orders for its workers and rates what was delivered."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from programs.filters import StrictFilterSet
from programs.models import Enterprise, Region
from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, RefuseUnknownFields, documented
from programs.roles import Role

from .. import complaint_selectors
from ..models import ServiceOffering, ServiceOrder
from ..services import ordering as ordering_services

COMMUNITY = ordering_services.COMMUNITY_STAFF
READERS = (*COMMUNITY, Role.OFFICER, Role.ENTERPRISE)


class OfferingSerializer(ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    free = serializers.IntegerField(read_only=True)

    class Meta:
        model = ServiceOffering
        fields = [
            "id",
            "community",
            "community_name",
            "kind",
            "title",
            "description",
            "starts_on",
            "ends_on",
            "capacity",
            "booked",
            "free",
            "is_published",
        ]
        read_only_fields = fields


class PublishSerializer(RefuseUnknownFields, serializers.Serializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    kind = serializers.ChoiceField(choices=ServiceOffering.Kind.choices)
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    is_published = serializers.BooleanField(default=True)


class PlaceOrderSerializer(RefuseUnknownFields, serializers.Serializer):
    people = serializers.IntegerField(min_value=1, max_value=100000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), required=False, help_text="Staff ordering on an enterprise's behalf."
    )


class OrderSerializer(ModelSerializer):
    offering_title = serializers.CharField(source="offering.title", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = ServiceOrder
        fields = [
            "id",
            "offering",
            "offering_title",
            "enterprise",
            "enterprise_name",
            "people",
            "note",
            "status",
            "people_served",
            "reason",
            "rating",
            "feedback",
            "created_at",
            "accepted_at",
            "delivered_at",
            "closed_at",
        ]
        read_only_fields = fields


class OrderReasonSerializer(RefuseUnknownFields, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DeliverSerializer(RefuseUnknownFields, serializers.Serializer):
    people_served = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class RateSerializer(RefuseUnknownFields, serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    feedback = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


@documented(OfferingSerializer, "list", "retrieve", "create", order=(201, OrderSerializer))
class ServiceOfferingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The catalogue: staff see their area's services, an enterprise the published ones of its community."""

    serializer_class = OfferingSerializer
    permission_classes = [HasRole]
    read_roles = READERS
    allowed_roles = (*COMMUNITY, Role.ENTERPRISE)
    filterset_fields = ["kind", "community", "is_published"]

    def get_queryset(self):
        return complaint_selectors.offering_list(user=self.request.user)

    @extend_schema(request=PublishSerializer, responses={201: OfferingSerializer, **ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offering = ordering_services.offering_publish(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(offering).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlaceOrderSerializer)
    @action(detail=True, methods=["post"])
    def order(self, request, pk=None):
        offering = self.get_object()
        data = PlaceOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = ordering_services.order_place(offering=offering, actor=request.user, **data.validated_data)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderFilter(StrictFilterSet):
    class Meta:
        model = ServiceOrder
        fields = ["status", "offering", "enterprise"]


@documented(OrderSerializer, "list", "retrieve", accept=200, decline=200, deliver=200, close=200, cancel=200, rate=200)
class ServiceOrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Orders: the community's staff accept, decline, deliver and close; the enterprise cancels and rates."""

    serializer_class = OrderSerializer
    permission_classes = [HasRole]
    read_roles = READERS
    allowed_roles = (*COMMUNITY, Role.ENTERPRISE)
    filterset_class = OrderFilter

    def get_queryset(self):
        return complaint_selectors.order_list(user=self.request.user)

    def _answer(self, order):
        return Response(self.get_serializer(order).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(ordering_services.order_accept(order=self.get_object(), actor=request.user))

    @extend_schema(request=OrderReasonSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        order = self.get_object()
        data = OrderReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(ordering_services.order_decline(order=order, actor=request.user, **data.validated_data))

    @extend_schema(request=DeliverSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        order = self.get_object()
        data = DeliverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(ordering_services.order_deliver(order=order, actor=request.user, **data.validated_data))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._answer(ordering_services.order_close(order=self.get_object(), actor=request.user))

    @extend_schema(request=OrderReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        data = OrderReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(ordering_services.order_cancel(order=order, actor=request.user, **data.validated_data))

    @extend_schema(request=RateSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        order = self.get_object()
        data = RateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(ordering_services.order_rate(order=order, actor=request.user, **data.validated_data))
