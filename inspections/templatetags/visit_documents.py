"""``{% visit_document_rows inspections as rows %}``: each inspection with its issued documents, in one query, for
pages of other apps that list an enterprise's inspections (the enterprise area) without a view of ours."""

from django import template

from .. import services

register = template.Library()


@register.simple_tag
def visit_document_rows(inspections) -> list[tuple]:
    """``(inspection, [documents in force])`` for each inspection, in order."""
    inspections = list(inspections)
    documents = services.visit_documents_by_inspection(inspection.pk for inspection in inspections)
    return [(inspection, documents.get(inspection.pk, [])) for inspection in inspections]
