"""What the parts of the API share."""

from rest_framework import serializers


class InspectionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
