"""What the workshops endpoints share: the reason body, the region checks, the methods and roles."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from programs.models import Region, User
from programs.selectors import scope

# The organiser and the host enterprise decide on registrations and record employment and activities.
NO_DELETE = ["get", "post", "patch", "head", "options"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def read_reason(request) -> str:
    data = ReasonSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data["reason"]


def _region_in_reach(user: User, region: Region) -> bool:
    return scope(Region.objects.filter(pk=region.pk), user, region="").exists()


def check_village(user: User, village: Region, field: str = "village") -> None:
    if not _region_in_reach(user, village):
        raise serializers.ValidationError({field: [_("This village is outside your region.")]})
