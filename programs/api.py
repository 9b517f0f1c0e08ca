"""REST endpoints of the shared core: token auth, the caller's profile, reference data, enterprises,
the officer roster and the in-app inbox."""

import django_filters
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .authentication import ScopedRateThrottle
from .filters import StrictFilterSet
from .models import Department, Enterprise, Notification, Region, User
from .rest import ERROR_RESPONSES, HasRole, ModelSerializer, OptionalEmailField, RefuseUnknownFields, documented
from .roles import STAFF, is_staff_role
from .validators import mask_phone, normalize_credit_code

# --- Auth ---------------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(APIView):
    """Obtain a token with username and password (POST; it works for ``API_TOKEN_MAX_AGE_DAYS`` days, and a
    password change revokes it); revoke the caller's token (DELETE)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer, **ERROR_RESPONSES}, auth=[])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **data.validated_data)
        if user is None or not user.is_active:
            raise serializers.ValidationError({"password": [_("Wrong username or password.")]})
        return Response({"token": services.api_token_issue(user=user).key})

    @extend_schema(request=None, responses={204: None, **ERROR_RESPONSES})
    def delete(self, request):
        services.api_tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Reference data -------------------------------------------------------------------------------


class RegionSerializer(ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent"]


class DepartmentSerializer(ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "kind", "region", "region_name"]


@documented(RegionSerializer, "list", "retrieve")
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer
    filterset_fields = ["level", "parent", "code"]
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.region_list()


@documented(DepartmentSerializer, "list", "retrieve")
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    filterset_fields = ["kind", "region"]
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.department_list()


# --- Enterprises ------------------------------------------------------------------------------------


class EnterpriseFilter(StrictFilterSet):
    region_code = django_filters.CharFilter(method="filter_region_code", label="Division code prefix")

    class Meta:
        model = Enterprise
        fields = ["grade", "is_key", "is_four_new", "size", "region", "micro_grid"]

    def filter_region_code(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.rstrip("0") or value)


class CreditCodeField(serializers.CharField):
    """People type codes with spaces or in lowercase: normalise before the model's validator judges it."""

    def to_internal_value(self, data):
        return normalize_credit_code(super().to_internal_value(data)) or None


class EnterpriseSerializer(RefuseUnknownFields, ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    # The grid is the micro-grid's (programs.grid_models); a micro-grid outside the editor's area is refused.
    grid = serializers.IntegerField(source="micro_grid.grid_id", read_only=True, default=None, allow_null=True)
    grid_name = serializers.CharField(source="micro_grid.grid.name", read_only=True, default=None, allow_null=True)
    micro_grid_name = serializers.CharField(source="micro_grid.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "region",
            "region_name",
            "address",
            "industry",
            "size",
            "is_key",
            "grid",
            "grid_name",
            "micro_grid",
            "micro_grid_name",
            "is_four_new",
            "contact_name",
            "contact_phone",
            "contact_email",
            "grade",
            "grade_changed_at",
        ]
        read_only_fields = ["grade", "grade_changed_at"]

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_name == "contact_email":
            return OptionalEmailField, {**kwargs, "allow_blank": True, "required": False}
        return (CreditCodeField if field_name == "credit_code" else field_class), kwargs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        if not is_staff_role(user) and instance.pk != getattr(user, "enterprise_id", None):
            data["contact_phone"] = mask_phone(data["contact_phone"])
        return data


@documented(EnterpriseSerializer, "list", "retrieve", "create", "partial_update", "update")
class EnterpriseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Enterprises the caller may see: staff their region's, an enterprise user only its own.
    Coordinators and officers register and correct enterprises; an enterprise user corrects its contact."""

    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    search_fields = ["name", "credit_code"]
    ordering_fields = ["name", "grade", "id"]
    permission_classes = [HasRole]
    read_roles = "__all__"
    allowed_roles = (User.Role.COORDINATOR, User.Role.OFFICER, User.Role.ENTERPRISE)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.enterprise_list(user=self.request.user).order_by("name", "id")

    def perform_create(self, serializer):
        if self.request.user.role == User.Role.ENTERPRISE:
            self.permission_denied(self.request, message=_("An enterprise user cannot register other enterprises."))
        serializer.instance = services.enterprise_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        fields = serializer.validated_data
        if self.request.user.role == User.Role.ENTERPRISE:
            contact = {"contact_name", "contact_phone", "contact_email", "address"}
            fields = {k: v for k, v in fields.items() if k in contact}
        serializer.instance = services.enterprise_update(
            enterprise=serializer.instance, actor=self.request.user, **fields
        )


# --- People -----------------------------------------------------------------------------------------


class MeSerializer(ModelSerializer):
    region = RegionSerializer(read_only=True, allow_null=True)
    department = DepartmentSerializer(read_only=True, allow_null=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "region",
            "department",
            "enterprise",
            "enterprise_name",
        ]


@documented(MeSerializer, get=200)
class MeView(generics.RetrieveAPIView):
    """The caller's own profile: role and the region, department or enterprise it is anchored to."""

    serializer_class = MeSerializer

    def get_object(self):
        return User.objects.select_related("region", "department__region", "enterprise").get(pk=self.request.user.pk)


class OfficerSerializer(ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "department", "department_name", "region"]


@documented(OfficerSerializer, "list", "retrieve")
class OfficerViewSet(viewsets.ReadOnlyModelViewSet):
    """Department officers: an officer sees only their own department's roster."""

    serializer_class = OfficerSerializer
    permission_classes = [HasRole]
    allowed_roles = STAFF
    read_roles = STAFF
    filterset_fields = ["department"]
    search_fields = ["username", "first_name", "last_name"]

    def get_queryset(self):
        return selectors.officer_list(user=self.request.user)


# --- Inbox ------------------------------------------------------------------------------------------


class NotificationSerializer(ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "subject", "body", "sent_at", "read_at"]


@documented(NotificationSerializer, "list", "retrieve")
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's in-app notifications, newest first."""

    serializer_class = NotificationSerializer
    filterset_fields = {"read_at": ["isnull"]}

    def get_queryset(self):
        return selectors.notification_inbox(user=self.request.user)

    @extend_schema(request=None, responses={200: NotificationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=self.get_object(), actor=request.user)
        return Response(self.get_serializer(notification).data)
