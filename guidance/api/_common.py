"""What the guidance API views share: a full slot as a 409 and the reason a staff member gives."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status

from .. import services


class SlotFull(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "slot_full"
    default_detail = _("This slot is full; please choose another.")


def call_service(service, **kwargs):
    """Run a service; a full slot is a 409 ``slot_full`` naming the field, other errors go to the handler."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        if services.is_slot_full(exc):
            raise SlotFull({"slot": exc.message_dict["slot"]}) from exc
        raise


class GuidanceReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
