"""Grid workers' willingness surveys (就业意愿摸排) from a spreadsheet: new residents are registered, known
ones (by ID number) have their survey updated."""

from datetime import date
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.imports import Column, Importer, is_yes, register
from programs.models import Region
from programs.roles import WORKSHOP_FIELD_STAFF
from programs.selectors import scope
from programs.spreadsheets import SeenKeys
from programs.validators import mask_id_number, normalize_id_number, validate_id_number

from . import services
from .models import Category, Resident

SEPARATORS = " ,，、;；/\n"


def parse_categories(text: str) -> tuple[list[str], str]:
    """The categories named in a cell, by their Chinese or English label or key (labels may themselves
    contain commas, so the cell is matched against the names, longest first), and what was left unmatched."""
    names = {}
    for value, label in Category.choices:
        names[value] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[str(label)] = value
    found, rest = [], text or ""
    for name in sorted(names, key=len, reverse=True):
        if name in rest:
            rest = rest.replace(name, " ")
            if names[name] not in found:
                found.append(names[name])
    return found, rest.strip(SEPARATORS)


@register
class ResidentSurveyImporter(Importer):
    kind = "resident_surveys"
    label = gettext_lazy("Residents' willingness surveys")
    roles = WORKSHOP_FIELD_STAFF
    columns: ClassVar[list[Column]] = [
        Column("name", "姓名", required=True),
        Column("id_number", "公民身份号码", required=True, mask=mask_id_number),
        Column("village_code", "村（社区）区划代码", required=True),
        Column("phone", "手机号"),
        Column("has_disability", "残疾人"),
        Column("is_low_income", "低收入农户"),
        Column("wants_work", "就业意愿"),
        Column("categories", "意向岗位类别"),
        Column("surveyed_on", "摸排日期"),
    ]

    def __init__(self, actor, **kwargs):
        super().__init__(actor, **kwargs)
        villages = scope(Region.objects.filter(level=Region.Level.VILLAGE), actor, region="")
        self.villages = {v.code: v for v in villages}
        self.seen = SeenKeys()  # the file's ID numbers so far

    def clean_row(self, values):
        errors = {}
        id_number = normalize_id_number(values["id_number"])
        try:
            validate_id_number(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
        village = self.villages.get(values["village_code"])
        if village is None:
            errors["village_code"] = _("No village of your region has this division code.")
        categories, unknown = parse_categories(values.get("categories", ""))
        if unknown:
            errors["categories"] = _("Unknown category: %(names)s.") % {"names": unknown}
        surveyed_on = None
        if values.get("surveyed_on"):
            try:
                surveyed_on = date.fromisoformat(values["surveyed_on"][:10])
            except ValueError:
                errors["surveyed_on"] = _("Write the date as 2025-03-01.")
        if errors:
            raise ValidationError(errors)
        return {
            "name": values["name"],
            "id_number": id_number,
            "village": village,
            "phone": values.get("phone", ""),
            "has_disability": is_yes(values.get("has_disability", "")),
            "is_low_income": is_yes(values.get("is_low_income", "")),
            "wants_work": is_yes(values.get("wants_work", "是") or "是"),
            "wished_categories": categories,
            "surveyed_on": surveyed_on,
        }

    def check_duplicates(self, cleaned):
        errors = []
        for row in cleaned:
            if self.seen.add(row["id_number"]):
                message = _("The same ID number appears twice in the file.")
                errors.append({"row": row["_row"], "column": "公民身份号码", "message": message})
        return errors + self.check_known_residents(cleaned)

    def check_known_residents(self, cleaned) -> list[dict]:
        """A row for a resident on record must match them: same name, and a village in the importer's area.
        Anything else (a record of another region, a wrong name) is refused with the row's error, so an
        import never changes a record its importer cannot read."""
        known = Resident.objects.filter(id_number__in=[row["id_number"] for row in cleaned])
        known = {r.id_number: r for r in known.only("id_number", "name", "village_id")}
        in_area = {village.pk for village in self.villages.values()}
        errors = []
        for row in cleaned:
            resident = known.get(row["id_number"])
            if resident is None:
                continue
            if resident.village_id not in in_area or resident.name != row["name"].strip():
                message = _("No resident of your area is on record with this name and ID number.")
                errors.append({"row": row["_row"], "column": "公民身份号码", "message": message})
        return errors

    def save(self, rows):
        known = {r.id_number: r for r in Resident.objects.filter(id_number__in=[row["id_number"] for row in rows])}
        in_area = {village.pk for village in self.villages.values()}
        for row in rows:
            fields = {k: v for k, v in row.items() if k != "_row"}
            resident = known.get(row["id_number"])
            if resident is not None and (resident.village_id not in in_area or resident.name != row["name"].strip()):
                raise ValidationError(
                    _("Row %(row)s: no resident of your area has this name and ID number.") % {"row": row["_row"]}
                )
            if resident is None:
                services.resident_create(actor=self.actor, **fields)
            else:
                services.resident_survey(
                    resident=resident,
                    actor=self.actor,
                    wants_work=fields["wants_work"],
                    wished_categories=fields["wished_categories"],
                    surveyed_on=fields["surveyed_on"],
                    phone=fields["phone"] or resident.phone,
                    has_disability=fields["has_disability"],
                    is_low_income=fields["is_low_income"],
                )
        return len(rows)
