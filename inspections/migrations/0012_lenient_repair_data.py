"""Existing lenient list entries move onto published lists: one list per issuing department (the item's owner) and
kind, in force from the day of the migration. And the default credit repair rules: the minimum disclosure period of
a warning (3 months), a fine (6 months) and a larger fine from 100,000 yuan (1 year), reviewed within 5 days."""

from datetime import date
from decimal import Decimal

from django.db import migrations

LIST_NAMES = {
    "first_violation": "首违不罚清单",
    "minor_violation": "轻微免罚清单",
    "no_penalty": "不予处罚清单",
    "prudent": "审慎执法监管事项清单",
}


def entries_onto_lists(apps, schema_editor):
    LenientList = apps.get_model("inspections", "LenientList")
    LenientListEntry = apps.get_model("inspections", "LenientListEntry")
    lists = {}
    for entry in LenientListEntry.objects.filter(lenient_list__isnull=True).select_related("item__department"):
        department = entry.item.department
        key = (department.pk, entry.kind)
        if key not in lists:
            lists[key] = LenientList.objects.create(
                kind=entry.kind,
                name=f"{department.name}{LIST_NAMES.get(entry.kind, entry.kind)}",
                issuer=department,
                valid_from=date.today(),
            )
        entry.lenient_list = lists[key]
        entry.save(update_fields=["lenient_list"])


REPAIR_RULES = [
    ("警告", "warning", Decimal("0"), 90),
    ("罚款", "fine", Decimal("0"), 180),
    ("较大数额罚款", "fine", Decimal("100000"), 365),
]


def default_repair_rules(apps, schema_editor):
    RepairRule = apps.get_model("inspections", "RepairRule")
    for name, kind, fine_from, days in REPAIR_RULES:
        defaults = {"name": name, "min_disclosure_days": days, "review_days": 5}
        RepairRule.objects.get_or_create(penalty_kind=kind, fine_from=fine_from, defaults=defaults)


def entries_off_lists(apps, schema_editor):
    LenientList = apps.get_model("inspections", "LenientList")
    LenientListEntry = apps.get_model("inspections", "LenientListEntry")
    LenientListEntry.objects.update(lenient_list=None)
    LenientList.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0011_cases_fines_repair_requests_assistance_complaints_ordering")]

    operations = [
        migrations.RunPython(entries_onto_lists, entries_off_lists),
        migrations.RunPython(default_repair_rules, migrations.RunPython.noop),
    ]
