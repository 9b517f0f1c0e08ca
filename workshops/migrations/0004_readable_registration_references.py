"""Registrations made before readable references get one (W + the local day they were made + six characters),
like the ones made from now on; the old random strings are not kept."""

import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

# Frozen copy of workshops.models.REFERENCE_ALPHABET: a migration must not change when the model does.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"


def give_readable_references(apps, schema_editor):
    Registration = apps.get_model("workshops", "Registration")
    local = ZoneInfo(settings.TIME_ZONE)
    taken = set(Registration.objects.filter(reference__startswith="W").values_list("reference", flat=True))
    batch = []
    for registration in Registration.objects.only("pk", "reference", "created_at").order_by("pk").iterator():
        if registration.reference in taken and len(registration.reference) == 14:
            continue  # already readable
        day = registration.created_at.astimezone(local)
        reference = None
        while reference is None or reference in taken:
            reference = f"W{day:%y%m%d}-" + "".join(secrets.choice(ALPHABET) for _ in range(6))
        taken.add(reference)
        registration.reference = reference
        batch.append(registration)
        if len(batch) >= 1000:
            Registration.objects.bulk_update(batch, ["reference"])
            batch = []
    Registration.objects.bulk_update(batch, ["reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0003_registration_to_verify"),
    ]

    operations = [
        # Going back keeps the readable references: they fit the old column as well.
        migrations.RunPython(give_readable_references, migrations.RunPython.noop),
    ]
