"""The workshop indicators, with the parameters every indicator endpoint takes (``IndicatorQuerySerializer``:
``start``, ``end``, a ``region`` id inside the caller's scope) and a ``breakdown`` by the regions below."""


from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from programs.rest import ERROR_RESPONSES, HasRole, IndicatorQuerySerializer, money_as_text
from programs.roles import WORKSHOP_STAFF

from .. import selectors


class WorkshopIndicatorQuerySerializer(IndicatorQuerySerializer):
    breakdown = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Add the regions one level below the region.",
    )


class WorkshopIndicatorsView(APIView):
    """Workshops, people employed, low-income people employed, average monthly income increase, activities
    and their revenue, for a region (within the caller's) and period, computed from the records."""

    permission_classes = [HasRole]
    read_roles = WORKSHOP_STAFF
    allowed_roles = WORKSHOP_STAFF

    @extend_schema(parameters=[WorkshopIndicatorQuerySerializer], responses={200: dict, **ERROR_RESPONSES})
    def get(self, request):
        query = WorkshopIndicatorQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        user = request.user
        start, end = query.validated_data["start"], query.validated_data["end"]
        # No region chosen: all of the caller's scope, which is their own region (none for a superuser).
        region = query.validated_data["region"] or user.region
        body = selectors.workshop_indicators(user=user, region=region, start=start, end=end)
        if query.validated_data["breakdown"] and region is not None:
            body["breakdown"] = selectors.workshop_indicators_by_region(user=user, parent=region, start=start, end=end)
        return Response(money_as_text(body))

