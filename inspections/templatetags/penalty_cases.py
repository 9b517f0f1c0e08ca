"""``{% enterprise_open_cases user as cases %}``: the signed-in enterprise's penalty cases still under way (not
closed or cancelled), for the enterprise area of another app, without a view of ours."""

from django import template

from ..case_selectors import case_list
from ..models import PenaltyCase

register = template.Library()


@register.simple_tag
def enterprise_open_cases(user) -> list[PenaltyCase]:
    done = [PenaltyCase.Status.CLOSED, PenaltyCase.Status.CANCELLED]
    return list(case_list(user=user).exclude(status__in=done)[:20])
