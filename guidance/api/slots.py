"""Free slots to book; coordinators publish one-off slots (weekly ones come from templates)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets

from programs.models import Region
from programs.rest import HasRole, ModelSerializer, PrefetchedPrimaryKeyRelatedField, documented
from programs.roles import COORDINATORS

from .. import selectors, services
from ..models import Mode, Slot, Theme


class GuidanceSlotSerializer(ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    free = serializers.IntegerField(read_only=True)
    # In a list (slots, or a booking's slot): the themes' ids as the list prefetched them (``programs.rest``).
    themes = PrefetchedPrimaryKeyRelatedField(many=True, queryset=Theme.objects.filter(is_active=True))

    class Meta:
        model = Slot
        fields = ["id", "starts_at", "ends_at", "mode", "capacity", "booked", "free", "region", "region_name", "themes"]
        read_only_fields = ["booked"]


@documented(GuidanceSlotSerializer, "list", "retrieve", "create")
@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("theme", int, description="Only slots offered for this theme."),
            OpenApiParameter("mode", str, enum=Mode.values),
            OpenApiParameter("region", int, description="Only slots in this region's subtree."),
        ],
    ),
)
class SlotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Free slots (list: future, not full); coordinators publish one-off slots (weekly ones come from templates)."""

    permission_classes = [HasRole]
    read_roles = "__all__"
    allowed_roles = COORDINATORS
    serializer_class = GuidanceSlotSerializer

    def get_queryset(self):
        params = self.request.query_params
        theme = get_object_or_404(Theme, pk=params["theme"]) if params.get("theme", "").isdigit() else None
        region = get_object_or_404(Region, pk=params["region"]) if params.get("region", "").isdigit() else None
        return selectors.slot_free_list(theme=theme, mode=params.get("mode") or None, region=region, as_lists=True)

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not self.request.user.is_superuser and not data["region"].code.startswith(self.request.user.region.prefix):
            raise exceptions.PermissionDenied(_("You publish slots in your own region only."))
        serializer.instance = services.slot_publish(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            mode=data["mode"],
            capacity=data["capacity"],
            region=data["region"],
            themes=data["themes"],
            actor=self.request.user,
        )
