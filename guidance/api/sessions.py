"""The sessions held for a booking, as the API shows and records them (``/guidance/bookings/{id}/sessions/``)."""

from rest_framework import serializers

from programs.models import User
from programs.rest import ModelSerializer, PrefetchedListSerializer, PrefetchedSlugRelatedField

from ..models import Mode, Session
from .risks import GuidanceRiskSerializer


class GuidanceSessionAdviceSerializer(serializers.Serializer):
    item_name = serializers.CharField(source="item.name", read_only=True, default=None, allow_null=True)
    text = serializers.CharField(read_only=True)


class GuidanceSessionBriefSerializer(ModelSerializer):
    """A session as a booking lists it: which, how, when, who came (its records: ``sessions/``)."""

    officers = PrefetchedSlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = Session
        fields = ["id", "kind", "mode", "held_at", "officers", "summary", "letter_number"]
        read_only_fields = fields
        list_serializer_class = PrefetchedListSerializer  # a booking's sessions, as the list prefetched them


class GuidanceSessionSerializer(ModelSerializer):
    """One session (指导服务) of a booking: first or follow-up, online or on site, when, who came, its outcome,
    the advice given and the risks found in it, and its recommendation letter once issued."""

    officers = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    departments = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    advice = GuidanceSessionAdviceSerializer(many=True, read_only=True)
    risks = GuidanceRiskSerializer(many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "booking",
            "kind",
            "mode",
            "held_at",
            "officers",
            "departments",
            "summary",
            "letter_number",
            "letter_issued_at",
            "advice",
            "risks",
            "created_at",
        ]
        read_only_fields = fields


class GuidanceSessionCreateSerializer(serializers.Serializer):
    """A session held: on a confirmed booking the first (it completes the booking), on a completed one a
    follow-up. Every field may be left out: the booking's mode; the slot's start for the first session, now for
    a follow-up; the officers assigned for the first, the officer recording it for a follow-up."""

    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    held_at = serializers.DateTimeField(required=False)
    officers = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=User.Role.OFFICER), many=True, required=False
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")
