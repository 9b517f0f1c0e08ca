"""``{% nav_sidebar %}``: the admin's sidebar, rendered once per user's app list and current list
(``portal.admin_site.nav_sidebar``); ``admin/base_site.html`` puts it in Django's ``nav-sidebar`` block."""

from django import template
from django.utils.safestring import SafeString

from portal.admin_site import nav_sidebar as render_nav_sidebar

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_sidebar(context) -> SafeString:
    return render_nav_sidebar(context["request"], context["available_apps"])
