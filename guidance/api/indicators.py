"""Guidance indicators for the caller's scope, with the parameters every indicator endpoint shares."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from programs.rest import ERROR_RESPONSES, HasRole, IndicatorQuerySerializer
from programs.roles import STAFF

from .. import selectors


class IndicatorsView(APIView):
    """Guidance indicators for the caller's scope: bookings accepted, visits held online / on site, no-shows,
    risks found and rectified, satisfaction; by theme and county. The period defaults to 1 January → today."""

    permission_classes = [HasRole]
    read_roles = STAFF
    allowed_roles = ()

    @extend_schema(parameters=[IndicatorQuerySerializer], responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES})
    def get(self, request):
        query = IndicatorQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        return Response(selectors.guidance_indicators(user=request.user, **query.validated_data))
