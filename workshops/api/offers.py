"""Job offers (岗位推送): a resident reads the offers that reached them, marks one seen and registers from it;
organisers and grid workers read the offers made to their region's residents."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, documented
from programs.roles import WORKSHOP_FIELD_STAFF, Role

from .. import offer_selectors, services
from ..models import JobOffer, Registration, Resident
from .registrations import RegistrationSerializer


class JobOfferSerializer(ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    position_title = serializers.CharField(source="position.title", read_only=True)
    category = serializers.CharField(source="position.category", read_only=True)
    workshop_name = serializers.CharField(source="position.workshop.name", read_only=True)
    village_name = serializers.CharField(source="position.workshop.village.name", read_only=True)
    pay_amount = serializers.DecimalField(source="position.pay_amount", max_digits=9, decimal_places=2, read_only=True)
    pay_unit = serializers.CharField(source="position.pay_unit", read_only=True)
    registered = serializers.BooleanField(read_only=True, help_text="The resident registered for it after the offer.")

    class Meta:
        model = JobOffer
        fields = [
            "id",
            "position",
            "position_title",
            "category",
            "workshop_name",
            "village_name",
            "pay_amount",
            "pay_unit",
            "resident",
            "resident_name",
            "travel_minutes",
            "offered_at",
            "seen_at",
            "registered",
        ]
        read_only_fields = fields


class OfferRegisterSerializer(serializers.Serializer):
    baseline_monthly_income = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, default=Decimal("0"), min_value=Decimal("0")
    )
    consent = serializers.BooleanField(default=False)


@documented(JobOfferSerializer, "list", "retrieve", seen=200)
class JobOfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Job offers (岗位推送): one per resident and position, made when the position opened. A resident sees
    theirs (newest first) and registers from one; organisers and grid workers see their region's residents'."""

    serializer_class = JobOfferSerializer
    permission_classes = [HasRole]
    read_roles = (*WORKSHOP_FIELD_STAFF, Role.RESIDENT)
    allowed_roles = (Role.RESIDENT,)
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["position", "resident"]

    def get_queryset(self):
        return offer_selectors.offer_list(user=self.request.user)

    def _answer(self, offer):
        return Response(self.get_serializer(self.get_queryset().get(pk=offer.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def seen(self, request, pk=None):
        return self._answer(services.job_offer_mark_seen(offer=self.get_object(), actor=request.user))

    @extend_schema(
        request=OfferRegisterSerializer,
        responses={201: RegistrationSerializer, 200: RegistrationSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """Register for the offered position (consent required); asking again returns the registration (200)."""
        offer = self.get_object()
        resident = Resident.objects.filter(user=request.user).first()
        if resident is None or resident.pk != offer.resident_id:
            raise NotFound(_("Your account is not linked to a resident record; please ask your community."))
        data = OfferRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.job_offer_mark_seen(offer=offer, actor=request.user)
        registration, created = services.registration_submit(
            resident=resident,
            position=offer.position,
            channel=Registration.Channel.SELF,
            actor=request.user,
            baseline_monthly_income=data.validated_data["baseline_monthly_income"],
            consent=data.validated_data["consent"],
        )
        return Response(
            RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
