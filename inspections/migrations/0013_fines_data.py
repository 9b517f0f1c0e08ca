"""The default late-fee waiver policy (自动履行免加罚): the enterprise pays the whole fine of its own accord before
compulsory enforcement is applied for. Coordinators edit it, or add others, in the admin."""

from django.db import migrations

DEFAULT_NAME = "自动履行免加罚：申请强制执行前主动缴清罚款"


def create_default_policy(apps, schema_editor):
    Policy = apps.get_model("inspections", "LateFeeWaiverPolicy")
    if not Policy.objects.exists():
        Policy.objects.create(name=DEFAULT_NAME, is_active=True, before_enforcement=True, full_payment=True)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0012_lenient_repair_data")]

    operations = [migrations.RunPython(create_default_policy, migrations.RunPython.noop)]
