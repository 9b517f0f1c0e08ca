"""What the guidance API views share: a full slot as a 409, the reason a staff member gives, and the fields
that read the lists a list for the API prefetched."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.relations import MANY_RELATION_KWARGS

from .. import services
from ..selectors import prefetched_as


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


# A list for the API (``selectors._booking_queryset(as_lists=True)``) prefetches the relations of its bookings
# into plain lists (``Prefetch(to_attr=prefetched_as(name))``) rather than into the relations' caches: a cache
# costs a related manager and a cloned queryset per booking and relation, and the serializer's ``.all()`` a
# manager again, about a quarter of a page's time. The relations' fields below read that list when the instance
# carries one and otherwise read the relation as DRF does (``.all()``): the same serializers also answer for a
# booking read one at a time (retrieve, the actions' ``booking_detail``), and so the two give the same JSON. The
# fields are declared with ``many=True`` as usual; ``many_init`` and ``Meta.list_serializer_class`` are the hooks
# DRF gives for choosing the class of the list field.


class _ReadsPrefetchedList:
    def get_attribute(self, instance):
        listed = getattr(instance, prefetched_as(self.source), None)
        return super().get_attribute(instance) if listed is None else listed


class PrefetchedManyRelatedField(_ReadsPrefetchedList, serializers.ManyRelatedField):
    """A related field's ``many=True`` list (made by ``_PrefetchedRelatedField.many_init``)."""


class PrefetchedListSerializer(_ReadsPrefetchedList, serializers.ListSerializer):
    """A nested serializer's ``many=True`` field (its ``Meta.list_serializer_class``)."""


class _PrefetchedRelatedField:
    @classmethod
    def many_init(cls, *args, **kwargs):  # as RelatedField.many_init, with the list field above
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return PrefetchedManyRelatedField(child_relation=cls(*args, **kwargs), **list_kwargs)


class PrefetchedSlugRelatedField(_PrefetchedRelatedField, serializers.SlugRelatedField):
    """``SlugRelatedField`` whose ``many=True`` list reads a prefetched list first."""


class PrefetchedPrimaryKeyRelatedField(_PrefetchedRelatedField, serializers.PrimaryKeyRelatedField):
    """``PrimaryKeyRelatedField`` whose ``many=True`` list reads a prefetched list first."""
