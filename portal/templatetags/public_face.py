"""The footer of every public page. A tag, not a context processor: the 500 page is rendered without a
request, so no context processor runs there, and its footer must still name the office."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("portal/_footer.html")
def site_footer() -> dict:
    return {
        "office_name": settings.SITE_OFFICE_NAME,
        "office_address": settings.SITE_OFFICE_ADDRESS,
        "office_phone": settings.SITE_OFFICE_PHONE,
        "office_hours": settings.SITE_OFFICE_HOURS,
        "icp_record": settings.SITE_ICP_RECORD,
    }
