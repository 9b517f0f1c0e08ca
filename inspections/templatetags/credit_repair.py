"""``{% case_repair case as repair %}``: where a penalty's credit repair stands (cases/_case_repair.html)."""

from django import template

from ..services.repair import Repair, repair_state

register = template.Library()


@register.simple_tag
def case_repair(case) -> Repair:
    return repair_state(case)
