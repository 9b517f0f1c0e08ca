"""The recommendation letter of a session as the API answers it: its contents, the version in force and every
issued version's stored PDF."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inspections.models import InspectionItem

from ..models import Session
from .risks import GuidanceRiskSerializer


class GuidanceAdviceSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.all(), required=False, allow_null=True)
    text = serializers.CharField(allow_blank=True)


class GuidanceRiskCreateSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=InspectionItem.objects.all(), required=False, allow_null=True)
    description = serializers.CharField(allow_blank=True)
    suggestion = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True)


def _letter_pdf_url(session, document) -> str:
    """The stored PDF of one version of a session's letter (a follow-up session's names the session)."""
    named = "" if session.kind == Session.Kind.FIRST else f"session={session.pk}&"
    return f"/api/v1/guidance/bookings/{session.booking_id}/letter/pdf/?{named}version={document.version}"


class GuidanceLetterVersionSerializer(serializers.Serializer):
    """One issued version of the letter: the stored PDF, its hash, and why it replaced the one before."""

    version = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    reason = serializers.CharField()
    pdf_url = serializers.SerializerMethodField()

    def get_pdf_url(self, document) -> str:
        return _letter_pdf_url(self.context["session"], document)


class GuidanceLetterReissueSerializer(serializers.Serializer):
    reason = serializers.CharField()
    summary = serializers.CharField(required=False, allow_blank=True)
    advice = GuidanceAdviceSerializer(many=True, required=False, default=list)
    risks = GuidanceRiskCreateSerializer(many=True, required=False, default=list)


class GuidanceLetterSerializer(serializers.Serializer):
    """A session's letter (the booking's first session's unless ``?session=`` names another): its contents to
    read, and the issued PDF (``pdf_url``, the version in force, and every version in ``versions``, newest
    first): the PDF is the letter."""

    session = serializers.SerializerMethodField()
    number = serializers.SerializerMethodField()
    issued_at = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    sha256 = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    reference = serializers.CharField()
    business_name = serializers.CharField()
    theme = serializers.CharField(source="theme.title")
    visit_at = serializers.SerializerMethodField()
    departments = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    advice = serializers.SerializerMethodField()
    risks = serializers.SerializerMethodField()
    print_url = serializers.SerializerMethodField()

    def get_session(self, booking) -> int:
        return self.context["session"].pk

    def get_number(self, booking) -> str:
        return self.context["session"].letter_number

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_issued_at(self, booking):
        return serializers.DateTimeField().to_representation(self.context["session"].letter_issued_at)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_visit_at(self, booking):
        return serializers.DateTimeField().to_representation(self.context["session"].held_at)

    def get_summary(self, booking) -> str:
        return self.context["session"].summary

    def get_departments(self, booking) -> list[str]:
        return [d.name for d in self.context["session"].departments.all()]

    def get_advice(self, booking) -> list[dict]:
        return [{"item": a.item.name if a.item else None, "text": a.text} for a in self.context["session"].advice.all()]

    @extend_schema_field(GuidanceRiskSerializer(many=True))
    def get_risks(self, booking) -> list[dict]:
        return GuidanceRiskSerializer(self.context["session"].risks.all(), many=True, context=self.context).data

    def get_print_url(self, booking) -> str:
        session = self.context["session"]
        named = "" if session.kind == Session.Kind.FIRST else f"?session={session.pk}"
        return f"/guidance/letters/{booking.pk}/{named}"

    def _in_force(self):
        versions = self.context["versions"]
        return versions[0] if versions else None

    def get_version(self, booking) -> int | None:
        return self._in_force().version if self._in_force() else None

    def get_sha256(self, booking) -> str | None:
        return self._in_force().sha256 if self._in_force() else None

    def get_pdf_url(self, booking) -> str | None:
        return _letter_pdf_url(self.context["session"], self._in_force()) if self._in_force() else None

    @extend_schema_field(GuidanceLetterVersionSerializer(many=True))
    def get_versions(self, booking) -> list[dict]:
        return GuidanceLetterVersionSerializer(self.context["versions"], many=True, context=self.context).data
