"""Markets become events of their own (issue 19): each activity of kind "market" becomes a ``Market`` with its
one workshop taking part, with the activity's stalls, visitors, revenue and cancellation as they were; its
audit history is written again on the market (``data`` names the activity it came from; the activity's own
rows stay as they were written).
Nothing else is invented: no venues, no products, no supply points. Live-streams and trainings stay activities;
the two market-only columns (stalls, visitors) leave ``Activity``."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def activities_to_markets(apps, schema_editor):
    Activity = apps.get_model("workshops", "Activity")
    Market = apps.get_model("workshops", "Market")
    MarketParticipation = apps.get_model("workshops", "MarketParticipation")
    AuditEntry = apps.get_model("programs", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    activity_type, _ = ContentType.objects.get_or_create(app_label="workshops", model="activity")
    market_type, _ = ContentType.objects.get_or_create(app_label="workshops", model="market")
    for activity in list(Activity.objects.filter(kind="market").order_by("pk")):
        market = Market.objects.create(
            title=activity.title,
            held_on=activity.held_on,
            visitors=activity.visitors,
            is_cancelled=activity.is_cancelled,
            recorded_by_id=activity.recorded_by_id,
            created_at=activity.created_at,
        )
        MarketParticipation.objects.create(
            market=market, workshop_id=activity.workshop_id, stalls=activity.stalls, revenue=activity.revenue
        )
        history = AuditEntry.objects.filter(content_type=activity_type, object_id=activity.pk).order_by("pk")
        AuditEntry.objects.bulk_create(
            AuditEntry(
                content_type=market_type,
                object_id=market.pk,
                field=entry.field,
                action=entry.action.replace("activity.", "market.", 1),
                old_value=entry.old_value,
                new_value="" if entry.field == "created" else entry.new_value,
                data={**entry.data, "from_activity": activity.pk, "workshop": activity.workshop_id},
                actor_id=entry.actor_id,
                actor_label=entry.actor_label,
                reason=entry.reason,
                created_at=entry.created_at,
            )
            for entry in history
        )
        activity.delete()


def markets_to_activities(apps, schema_editor):
    """Back: one market activity per workshop taking part, the market's visitors on its first one."""
    Activity = apps.get_model("workshops", "Activity")
    Market = apps.get_model("workshops", "Market")
    for market in Market.objects.order_by("pk").iterator():
        for index, taking_part in enumerate(market.participations.order_by("pk")):
            Activity.objects.create(
                workshop_id=taking_part.workshop_id,
                kind="market",
                title=market.title,
                held_on=market.held_on,
                stalls=taking_part.stalls,
                visitors=market.visitors if index == 0 else 0,
                revenue=taking_part.revenue,
                is_cancelled=market.is_cancelled,
                recorded_by_id=market.recorded_by_id,
                created_at=market.created_at,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("programs", "0005_audit_data_and_outbox_lease"),
        ("workshops", "0005_recorded_by_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Market",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("held_on", models.DateField(verbose_name="held on")),
                (
                    "venues",
                    models.CharField(
                        blank=True,
                        help_text="Where it was held, e.g. 定海、普陀、岱山、嵊泗.",
                        max_length=300,
                        verbose_name="venues",
                    ),
                ),
                (
                    "organised_by",
                    models.CharField(
                        blank=True,
                        help_text="The office that ran it, e.g. 市委组织部.",
                        max_length=200,
                        verbose_name="organised by",
                    ),
                ),
                ("visitors", models.PositiveIntegerField(default=0, verbose_name="visitors")),
                ("is_cancelled", models.BooleanField(default=False, verbose_name="cancelled")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created at"),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "market",
                "verbose_name_plural": "markets",
                "ordering": ["-held_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="MarketParticipation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("stalls", models.PositiveIntegerField(default=1, verbose_name="stalls")),
                (
                    "revenue",
                    models.DecimalField(
                        decimal_places=2,
                        default=0,
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="stall revenue (yuan)",
                    ),
                ),
                (
                    "products_offered",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="How many different products the workshop offered.",
                        verbose_name="products offered",
                    ),
                ),
                (
                    "products",
                    models.TextField(
                        blank=True, help_text="Which ones, e.g. 对虾、虾皮、贻贝.", verbose_name="products"
                    ),
                ),
                (
                    "market",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participations",
                        to="workshops.market",
                        verbose_name="market",
                    ),
                ),
                (
                    "workshop",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="market_participations",
                        to="workshops.workshop",
                        verbose_name="workshop",
                    ),
                ),
            ],
            options={
                "verbose_name": "participating workshop",
                "verbose_name_plural": "participating workshops",
                "ordering": ["market", "workshop__village__code", "workshop__name", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("market", "workshop"), name="market_participation_one_per_workshop")
                ],
            },
        ),
        migrations.CreateModel(
            name="SupplyPoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "city",
                    models.CharField(
                        help_text="A city outside the workshop's, e.g. 杭州, 上海.", max_length=100, verbose_name="city"
                    ),
                ),
                ("address", models.CharField(blank=True, max_length=300, verbose_name="address")),
                (
                    "market",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supply_points",
                        to="workshops.market",
                        verbose_name="market",
                    ),
                ),
                (
                    "workshop",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="supply_points",
                        to="workshops.workshop",
                        verbose_name="workshop",
                    ),
                ),
            ],
            options={
                "verbose_name": "supply point outside the city",
                "verbose_name_plural": "supply points outside the city",
                "ordering": ["market", "city", "id"],
            },
        ),
        migrations.RunPython(activities_to_markets, markets_to_activities),
        migrations.RemoveField(model_name="activity", name="stalls"),
        migrations.RemoveField(model_name="activity", name="visitors"),
        migrations.AlterField(
            model_name="activity",
            name="kind",
            field=models.CharField(
                choices=[("live_stream", "Live-stream sessions"), ("training", "Training")],
                max_length=12,
                verbose_name="kind",
            ),
        ),
    ]
