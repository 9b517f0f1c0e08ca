"""Demo data of the inspections app: a catalogue with lenient lists for the Ningbo counties, and a Ningbo year
of plans (2024) coordinated month by month through the real services, so the indicators have a table to show;
a few inspections this month with codes, findings and grades (潘火街道's yellow → green). Idempotent."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from programs.models import Department, Enterprise, Region, User

from . import case_demo, complaint_demo, fine_demo, repair_demo, request_demo, services
from .models import Finding, Inspection, InspectionItem, ItemCheck, LenientListEntry, PlanEntry

K = Department.Kind
NINGBO = ["330212", "330205", "330206", "330203", "330282"]
# code suffix, name, department kind, field, simple
CATALOGUE = [
    ("FIRE-01", "消防通道是否畅通", K.FIRE_RESCUE, "消防安全", True),
    ("FIRE-02", "灭火器是否在有效期内", K.FIRE_RESCUE, "消防安全", True),
    ("FIRE-03", "自动消防设施运行情况", K.FIRE_RESCUE, "消防安全", False),
    ("MKT-01", "合同条款表述是否规范", K.MARKET_SUPERVISION, "合同监管", False),
    ("MKT-02", "电梯应急电话是否畅通", K.MARKET_SUPERVISION, "特种设备", True),
    ("MKT-03", "明码标价", K.MARKET_SUPERVISION, "价格监管", True),
    ("HLT-01", "职业病危害因素检测", K.HEALTH, "职业卫生", False),
    ("HLT-02", "从业人员健康证明", K.HEALTH, "公共卫生", True),
    ("EMG-01", "安全生产责任制落实", K.EMERGENCY_MANAGEMENT, "安全生产", False),
    ("ECO-01", "油烟净化设施运行", K.ECOLOGY_ENVIRONMENT, "生态环境", True),
    ("CEB-01", "户外招牌设置", K.COMPREHENSIVE_ENFORCEMENT, "市容环境", True),
    ("CEB-02", "生活垃圾分类", K.COMPREHENSIVE_ENFORCEMENT, "市容环境", True),
]
LENIENT = {"MKT-03": "first_violation", "CEB-01": "minor_violation", "ECO-01": "first_violation"}
YEAR = 2024
PLANS_PER_ENTERPRISE = 5


def _catalogue(county: Region) -> dict[str, list[InspectionItem]]:
    by_kind: dict[str, list[InspectionItem]] = {}
    for suffix, name, kind, field, simple in CATALOGUE:
        department = Department.objects.filter(region=county, kind=kind).order_by("id").first()
        if department is None:
            continue
        item, _ = InspectionItem.objects.get_or_create(
            code=f"NB-{county.code[:6]}-{suffix}",
            defaults={
                "name": name,
                "department": department,
                "field": field,
                "simple": simple,
                "legal_basis": "《浙江省综合行政执法条例》",
            },
        )
        if suffix in LENIENT:
            LenientListEntry.objects.get_or_create(item=item, kind=LENIENT[suffix])
        by_kind.setdefault(department.pk, []).append(item)
    return by_kind


def seed() -> dict:
    coordinator = User.objects.filter(username="coordinator").first()
    if coordinator is None or not Region.objects.filter(code="330212000000").exists():
        return {"skipped": "run programs.demo first"}
    if PlanEntry.objects.filter(note="demo").exists():
        cases = case_demo.seed_cases()
        cases.update(fine_demo.seed_fines())
        cases.update(repair_demo.seed())
        between = complaint_demo.seed()
        between.update(request_demo.seed())
        return {
            "plan_entries": PlanEntry.objects.count(),
            "inspections": Inspection.objects.count(),
            **cases,
            **between,
        }
    rng = random.Random(2024)
    with transaction.atomic():
        entries = _year_of_plans(rng, coordinator)
    for month in range(1, 13):
        services.month_coordinate(
            region=Region.objects.get(code="330200000000"), month=date(YEAR, month, 1), actor=coordinator
        )
    # One entry submitted at the year's end is still awaiting coordination, as in the bureau's table.
    late = PlanEntry.objects.filter(note="demo").order_by("-id").first()
    _late_entry(late, coordinator)
    this_month = _this_month(coordinator)
    cases = case_demo.seed_cases()
    cases.update(fine_demo.seed_fines())
    cases.update(repair_demo.seed())
    cases.update(complaint_demo.seed())
    cases.update(request_demo.seed())
    return {"plan_entries": entries + 1, "inspections": Inspection.objects.count(), "this_month": this_month, **cases}


def _officer_for(department: Department) -> User:
    officer = User.objects.filter(role=User.Role.OFFICER, department=department).order_by("id").first()
    if officer is None:
        officer = User.objects.create_user(
            username=f"officer_{department.pk}",
            role=User.Role.OFFICER,
            department=department,
            region=department.region,
            is_staff=True,
        )
        officer.set_unusable_password()
        officer.save(update_fields=["password"])
    return officer


def _year_of_plans(rng: random.Random, coordinator: User) -> int:
    made = 0
    for county_code in NINGBO:
        county = Region.objects.get(code=county_code + "000000")
        catalogue = _catalogue(county)
        departments = list(Department.objects.filter(pk__in=catalogue))
        enterprises = list(Enterprise.objects.filter(region__code__startswith=county_code).order_by("id"))
        for enterprise in enterprises:
            # Departments plan on their own: several pick the same enterprise and month, some twice.
            months = rng.sample(range(1, 13), 2)
            for _n in range(PLANS_PER_ENTERPRISE):
                department = rng.choice(departments)
                officer = _officer_for(department)
                items = rng.sample(catalogue[department.pk], k=min(2, len(catalogue[department.pk])))
                entry = services.plan_entry_create(
                    department=department,
                    enterprise=enterprise,
                    items=items,
                    month=date(YEAR, rng.choice(months), 1),
                    mode=PlanEntry.Mode.ON_SITE if rng.random() < 0.8 else PlanEntry.Mode.OFF_SITE,
                    note="demo",
                    actor=officer,
                )
                services.plan_entry_submit(entry=entry, actor=officer)
                made += 1
    return made


def _late_entry(model: PlanEntry, coordinator: User) -> None:
    officer = _officer_for(model.department)
    entry = services.plan_entry_create(
        department=model.department,
        enterprise=model.enterprise,
        items=list(model.items.all()),
        month=date(YEAR, 12, 1),
        note="demo: submitted after the December coordination",
        actor=officer,
    )
    services.plan_entry_submit(entry=entry, actor=officer)


def _this_month(coordinator: User) -> int:
    """This month in 鄞州区: the demo officer's inspections, one per grade story."""
    today = timezone.localdate()
    month = today.replace(day=1)
    market = Department.objects.get(name="鄞州区市场监督管理局")
    officer = User.objects.get(username="officer")
    items = list(InspectionItem.objects.filter(department=market).order_by("code"))
    enterprises = list(Enterprise.objects.filter(region__code__startswith="330212001").order_by("id")[:4])
    for enterprise in enterprises:
        entry = services.plan_entry_create(
            department=market, enterprise=enterprise, items=items[:2], month=month, note="demo", actor=officer
        )
        services.plan_entry_submit(entry=entry, actor=officer)
    services.month_coordinate(region=Region.objects.get(code="330212000000"), month=month, actor=coordinator)
    monday = today - timedelta(days=today.weekday())
    inspections = Inspection.objects.filter(enterprise__in=enterprises, month=month).order_by("enterprise_id")
    for n, inspection in enumerate(inspections):
        inspection = services.inspection_schedule(
            inspection=inspection, week_start=monday, visit_date=today, officers=[officer], actor=coordinator
        )
        if n == 3:
            continue  # the enterprise user's next visit: scheduled, with its code
        inspection = services.inspection_show_code(inspection=inspection, actor=officer)
        inspection = services.inspection_start(inspection=inspection, actor=officer)
        contract, elevator = items[0], items[1]
        deadline = today + timedelta(days=15)
        if n in (0, 1):  # 4S shop: contract wording and the elevator phone → yellow
            for item, text in ((contract, "汽车销售合同部分条款表述不够清晰"), (elevator, "电梯应急电话不畅通")):
                services.finding_record(
                    inspection=inspection,
                    item=item,
                    severity=Finding.Severity.GENERAL,
                    description=text,
                    deadline=deadline,
                    actor=officer,
                )
        answered = ItemCheck.objects.filter(inspection=inspection).values_list("item_id", flat=True)
        for item in inspection.items.exclude(pk__in=list(answered)):  # every item answered before completing
            services.item_check_record(
                inspection=inspection, item=item, actor=officer, result=ItemCheck.Result.COMPLIANT
            )
        services.inspection_complete(inspection=inspection, actor=officer, summary="demo")
        if n == 1:  # re-inspected and rectified: yellow → green
            for finding in Finding.objects.filter(inspection=inspection):
                services.finding_reinspect(finding=finding, actor=officer, rectified=True, note="复查整改完毕")
    return len(enterprises)
