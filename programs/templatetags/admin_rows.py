"""``{% result_list cl %}`` with the rows written by ``programs.admin_rows`` (the same HTML as Django's tag, made
faster); ``templates/admin/change_list.html`` loads it in place of Django's."""

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode

from programs.admin_rows import result_rows

register = template.Library()


def result_list(cl):
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": list(result_rows(cl)),
    }


@register.tag(name="result_list")
def result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=result_list, template_name="change_list_results.html", takes_context=False
    )
