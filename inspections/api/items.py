"""The inspection item catalogue (检查事项) with its lenient lists."""

from rest_framework import serializers, viewsets

from programs.rest import HasRole, ModelSerializer, documented
from programs.roles import STAFF

from .. import selectors
from ..models import InspectionItem, LenientListEntry


class LenientEntrySerializer(ModelSerializer):
    class Meta:
        model = LenientListEntry
        fields = ["kind", "lookback_days", "conditions"]


class ItemSerializer(ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    lenient_lists = LenientEntrySerializer(source="lenient_entries", many=True, read_only=True)

    class Meta:
        model = InspectionItem
        fields = [
            "id",
            "code",
            "name",
            "department",
            "department_name",
            "field",
            "legal_basis",
            "simple",
            "lenient_lists",
        ]


@documented(ItemSerializer, "list", "retrieve")
class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The inspection item catalogue (检查事项) with its lenient lists."""

    serializer_class = ItemSerializer
    permission_classes = [HasRole]
    read_roles = STAFF
    allowed_roles = ()
    filterset_fields = ["department", "field", "simple"]
    search_fields = ["code", "name", "field"]

    def get_queryset(self):
        return selectors.item_list(user=self.request.user)
