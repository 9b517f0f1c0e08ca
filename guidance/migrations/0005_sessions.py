"""Issue 19: a booking's visit becomes one or more sessions. Every completed booking gets its first session made
from what the booking recorded, and nothing else: its mode, the time it was booked for (the slot's start: a
visit is completed only once its slot has started), the officers and departments assigned, its summary, its
recommendation letter (number, date, and the issued PDF's versions, whose object becomes the session), the
advice and risks recorded for it, and who recorded the completion (the actor of its audit row, when there is
one). Reversible while no follow-up session exists."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError
from django.db.models import OuterRef, Subquery

LETTER_KIND = "guidance.letter"


def _content_type(apps, model: str):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="guidance", model=model)[0]


def sessions_from_bookings(apps, schema_editor):
    """One first session per completed booking that has none, from the booking's own records."""
    Booking = apps.get_model("guidance", "Booking")
    Session = apps.get_model("guidance", "Session")
    Advice = apps.get_model("guidance", "Advice")
    Risk = apps.get_model("guidance", "Risk")
    AuditEntry = apps.get_model("programs", "AuditEntry")
    IssuedDocument = apps.get_model("programs", "IssuedDocument")
    booking_type, session_type = _content_type(apps, "booking"), _content_type(apps, "session")
    completed = Booking.objects.filter(status="completed").exclude(sessions__kind="first").select_related("slot")
    completers = dict(
        AuditEntry.objects.filter(
            content_type=booking_type, action="booking.complete", object_id__in=completed.values("pk")
        ).values_list("object_id", "actor_id")
    )
    for booking in completed.iterator(chunk_size=500):
        session = Session.objects.create(
            booking=booking,
            kind="first",
            mode=booking.mode,
            held_at=booking.slot.starts_at,
            summary=booking.summary,
            letter_number=booking.letter_number,
            letter_issued_at=booking.letter_issued_at,
            recorded_by_id=completers.get(booking.pk),
            created_at=booking.completed_at or booking.slot.starts_at,
        )
        session.officers.set(booking.officers.all())
        session.departments.set(booking.departments.all())
        IssuedDocument.objects.filter(kind=LETTER_KIND, content_type=booking_type, object_id=booking.pk).update(
            content_type=session_type, object_id=session.pk
        )
    first = Session.objects.filter(booking=OuterRef("booking"), kind="first").values("pk")[:1]
    Advice.objects.filter(session__isnull=True, booking__status="completed").update(session=Subquery(first))
    Risk.objects.filter(session__isnull=True, booking__status="completed").update(session=Subquery(first))


def bookings_from_sessions(apps, schema_editor):
    """Back to one visit per booking: the first session's letter returns to its booking; refused while a
    follow-up session exists (a booking has nowhere to keep it)."""
    Session = apps.get_model("guidance", "Session")
    IssuedDocument = apps.get_model("programs", "IssuedDocument")
    if Session.objects.filter(kind="follow_up").exists():
        raise IrreversibleError("Follow-up guidance sessions exist: a booking without sessions cannot hold them.")
    booking_type, session_type = _content_type(apps, "booking"), _content_type(apps, "session")
    for session in Session.objects.filter(kind="first").iterator(chunk_size=500):
        IssuedDocument.objects.filter(kind=LETTER_KIND, content_type=session_type, object_id=session.pk).update(
            content_type=booking_type, object_id=session.booking_id
        )
    apps.get_model("guidance", "Advice").objects.update(session=None)
    apps.get_model("guidance", "Risk").objects.update(session=None)
    Session.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guidance", "0004_office_phone_bookings_waitlist"),
        ("programs", "0009_notification_html_body"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("first", "First session"), ("follow_up", "Follow-up session")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "mode",
                    models.CharField(
                        choices=[("online", "Online"), ("onsite", "On site")], max_length=10, verbose_name="mode"
                    ),
                ),
                ("held_at", models.DateTimeField(db_index=True, verbose_name="held at")),
                ("summary", models.TextField(blank=True, verbose_name="outcome")),
                (
                    "letter_number",
                    models.CharField(blank=True, max_length=30, verbose_name="recommendation letter number"),
                ),
                (
                    "letter_issued_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="recommendation letter issued at"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created at"),
                ),
                (
                    "booking",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sessions",
                        to="guidance.booking",
                        verbose_name="booking",
                    ),
                ),
                (
                    "departments",
                    models.ManyToManyField(
                        blank=True,
                        related_name="guidance_sessions",
                        to="programs.department",
                        verbose_name="departments",
                    ),
                ),
                (
                    "officers",
                    models.ManyToManyField(
                        blank=True,
                        related_name="guidance_sessions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="officers",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "ordering": ["held_at", "id"],
            },
        ),
        migrations.AddField(
            model_name="advice",
            name="session",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="advice",
                to="guidance.session",
                verbose_name="session",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="session",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="risks",
                to="guidance.session",
                verbose_name="session",
            ),
        ),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "first")),
                fields=("booking",),
                name="guidance_session_one_first_per_booking",
            ),
        ),
        migrations.RunPython(sessions_from_bookings, bookings_from_sessions),
    ]
