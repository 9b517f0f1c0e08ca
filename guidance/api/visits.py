"""The visits the signed-in officer is assigned to."""

from rest_framework import mixins, viewsets

from programs.rest import HasRole, documented
from programs.roles import Role

from .. import selectors
from ..models import Booking
from .bookings import GuidanceBookingSerializer


@documented(GuidanceBookingSerializer, "list")
class OfficerVisitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The visits the signed-in officer is assigned to, soonest first (``?upcoming=true`` for open ones only)."""

    permission_classes = [HasRole]
    read_roles = (Role.OFFICER,)
    allowed_roles = ()
    serializer_class = GuidanceBookingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no signed-in officer
            return Booking.objects.none()
        visits = selectors.officer_visit_list(user=self.request.user, as_lists=True)
        if self.request.query_params.get("upcoming") in ("1", "true"):
            visits = visits.filter(status__in=[Booking.Status.REQUESTED, Booking.Status.CONFIRMED])
        return visits
