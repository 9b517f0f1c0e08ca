from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0005_audit_data_and_outbox_lease"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50, unique=True, verbose_name="name")),
                ("beat_at", models.DateTimeField(verbose_name="last heartbeat")),
                ("hostname", models.CharField(blank=True, max_length=200, verbose_name="worker")),
            ],
            options={
                "verbose_name": "worker heartbeat",
                "verbose_name_plural": "worker heartbeats",
            },
        ),
    ]
