"""The indicator endpoints, with the parameters every indicator endpoint takes (``IndicatorQuerySerializer``:
``start``, ``end``, a ``region`` id inside the caller's scope)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from programs.rest import ERROR_RESPONSES, HasRole, IndicatorQuerySerializer, money_as_text
from programs.roles import ENFORCEMENT

from .. import selectors


class IndicatorView(APIView):
    permission_classes = [HasRole]
    read_roles = ENFORCEMENT
    allowed_roles = ()
    selector = None

    @extend_schema(parameters=[IndicatorQuerySerializer], responses={200: dict, **ERROR_RESPONSES})
    def get(self, request):
        query = IndicatorQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        return Response(money_as_text(type(self).selector(user=request.user, **query.validated_data)))


class InspectionIndicatorView(IndicatorView):
    """Plan entries submitted / executed / cut, coordination and reduction rates, joint share, code-shown rate,
    findings by severity, rectified on time."""

    read_roles = ENFORCEMENT
    allowed_roles = ()
    selector = staticmethod(selectors.inspection_indicators)


class GradeIndicatorView(IndicatorView):
    """Enterprises per colour, graded count, green rate, conversions in the period, and the grade map."""

    read_roles = ENFORCEMENT
    allowed_roles = ()
    selector = staticmethod(selectors.grade_indicators)
