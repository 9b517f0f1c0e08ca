"""The API's parsers. A module of its own: DRF reads ``DEFAULT_PARSER_CLASSES`` while ``rest_framework.views`` is
imported, so the parsers cannot live in a module that imports the views."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import MultiPartParser


class StrictMultiPartParser(MultiPartParser):
    """A multipart body from which no field and no file can be read is refused (Django's parser answers it
    with an empty form, and a PATCH would then succeed having changed nothing the caller sent)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        request = (parser_context or {}).get("request")
        sent = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        if sent and not parsed.data and not parsed.files:
            raise exceptions.ParseError(_("The multipart body holds no fields."))
        return parsed
