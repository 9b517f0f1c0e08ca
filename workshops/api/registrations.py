"""Registrations (报名): a resident registers themself (with consent) and withdraws; a grid worker or organiser
registers a resident, recommends and records the home visit; the organiser or the host enterprise accepts,
rejects (with a reason) and records the start of work."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from programs.rest import ERROR_RESPONSES, HasRole, ModelSerializer, documented
from programs.roles import WORKSHOP_DECIDERS, WORKSHOP_FIELD_STAFF, Role

from .. import selectors, services
from ..models import Position, Registration, Resident
from ._common import ReasonSerializer, read_reason
from .employment import EmploymentSerializer


class RegistrationSerializer(ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    position_title = serializers.CharField(source="position.title", read_only=True)
    workshop_name = serializers.CharField(source="position.workshop.name", read_only=True)
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.all(), required=False)
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all())
    channel = serializers.ChoiceField(choices=Registration.Channel.choices, required=False)
    consent = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = Registration
        fields = [
            "id",
            "reference",
            "resident",
            "resident_name",
            "claimed_name",
            "position",
            "position_title",
            "workshop_name",
            "channel",
            "status",
            "baseline_monthly_income",
            "note",
            "reason",
            "consent",
            "status_changed_at",
            "created_at",
        ]
        read_only_fields = ["reference", "claimed_name", "status", "reason", "status_changed_at", "created_at"]
        # One active registration per resident and position is the service's rule: asking again returns it.
        validators = []


class EmploySerializer(serializers.Serializer):
    start_date = serializers.DateField()
    wage = serializers.DecimalField(max_digits=9, decimal_places=2, required=False)
    wage_unit = serializers.ChoiceField(choices=Position.PayUnit.choices, required=False)


@documented(RegistrationSerializer, "list", "retrieve")
@extend_schema_view(
    create=extend_schema(
        description="Registers a resident for a position; asking again returns the active registration (200).",
        responses={201: RegistrationSerializer, 200: RegistrationSerializer, **ERROR_RESPONSES},
    ),
)
class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Registrations (报名). A resident registers themself (with consent) and withdraws; a grid worker or
    organiser registers a resident, recommends and records the home visit; the organiser or the host
    enterprise accepts, rejects (with a reason) and records the start of work."""

    serializer_class = RegistrationSerializer
    permission_classes = [HasRole]
    read_roles = (*WORKSHOP_FIELD_STAFF, Role.ENTERPRISE, Role.RESIDENT)
    allowed_roles = (*WORKSHOP_FIELD_STAFF, Role.ENTERPRISE, Role.RESIDENT)
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["status", "channel", "position", "resident"]

    def get_queryset(self):
        return selectors.registration_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        user = request.user
        if user.role == Role.ENTERPRISE and not user.is_superuser:
            self.permission_denied(request, message=_("An enterprise records decisions, not registrations."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if user.role == Role.RESIDENT:
            resident = Resident.objects.filter(user=user).first()
            if resident is None:
                raise NotFound(_("Your account is not linked to a resident record; please ask your community."))
            channel = Registration.Channel.SELF
        else:
            if "resident" not in data:
                raise serializers.ValidationError({"resident": [_("Choose the resident.")]})
            resident = data["resident"]
            if not selectors.resident_list(user=user).filter(pk=resident.pk).exists():
                raise serializers.ValidationError({"resident": [_("This resident is outside your region.")]})
            by_grid_worker = user.role == Role.GRID_WORKER
            default = Registration.Channel.GRID_WORKER if by_grid_worker else Registration.Channel.COMMUNITY
            channel = data.get("channel", default)
        registration, created = services.registration_submit(
            resident=resident,
            position=data["position"],
            channel=channel,
            actor=user,
            baseline_monthly_income=data.get("baseline_monthly_income", 0),
            note=data.get("note", ""),
            consent=data.get("consent", False),
        )
        registration = self.get_queryset().get(pk=registration.pk)
        return Response(
            self.get_serializer(registration).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def _answer(self, registration):
        return Response(self.get_serializer(self.get_queryset().get(pk=registration.pk)).data)

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=WORKSHOP_FIELD_STAFF)
    def recommend(self, request, pk=None):
        return self._answer(
            services.registration_recommend(
                registration=self.get_object(), actor=request.user, note=read_reason(request)
            )
        )

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="home-visit", allowed_roles=WORKSHOP_FIELD_STAFF)
    def home_visit(self, request, pk=None):
        return self._answer(
            services.registration_record_home_visit(
                registration=self.get_object(), actor=request.user, note=read_reason(request)
            )
        )

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=WORKSHOP_FIELD_STAFF)
    def verify(self, request, pk=None):
        """The community checked a registration "to verify" (its ID number is on record under another name) and
        found the claimant is the person the number belongs to: the record takes the name given and the
        registration goes on as submitted. A wrong claimant is rejected instead (``reject``)."""
        return self._answer(
            services.registration_verify(registration=self.get_object(), actor=request.user, note=read_reason(request))
        )

    @extend_schema(request=None, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=WORKSHOP_DECIDERS)
    def accept(self, request, pk=None):
        return self._answer(services.registration_accept(registration=self.get_object(), actor=request.user))

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=WORKSHOP_DECIDERS)
    def reject(self, request, pk=None):
        return self._answer(
            services.registration_reject(
                registration=self.get_object(), actor=request.user, reason=read_reason(request)
            )
        )

    @extend_schema(request=ReasonSerializer, responses={200: RegistrationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=(*WORKSHOP_FIELD_STAFF, Role.RESIDENT))
    def withdraw(self, request, pk=None):
        return self._answer(
            services.registration_withdraw(
                registration=self.get_object(), actor=request.user, reason=read_reason(request)
            )
        )

    @extend_schema(request=EmploySerializer, responses={201: EmploymentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], allowed_roles=WORKSHOP_DECIDERS)
    def employ(self, request, pk=None):
        data = EmploySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        employment = services.registration_employ(
            registration=self.get_object(),
            actor=request.user,
            start_date=data.validated_data["start_date"],
            wage=data.validated_data.get("wage"),
            wage_unit=data.validated_data.get("wage_unit"),
        )
        employment = selectors.employment_list(user=request.user).get(pk=employment.pk)
        return Response(EmploymentSerializer(employment).data, status=status.HTTP_201_CREATED)
