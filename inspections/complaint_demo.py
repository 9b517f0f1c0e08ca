"""Demo data of the "between inspections" services: complaint routes for the Ningbo counties, a few complaints in
北仑区 (fumes, corridor clutter, an internet café) handled by its comprehensive enforcement bureau, one leading to
a complaint-triggered inspection and one to a guidance offer; the 118 工业社区's catalogue (暑期托班, 送餐, 普法,
技能课程, 招聘会) with orders of its enterprises, accepted and delivered. Through the services; idempotent."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from programs.models import Department, Enterprise, Region, User

from .models import Complaint, ComplaintCategory, ComplaintRoute, ServiceOffering, ServiceOrder
from .services import complaints as complaint_services
from .services import ordering as ordering_services

C, K = ComplaintCategory, Department.Kind
NINGBO = ["330212", "330205", "330206", "330203", "330282"]
ROUTES = {
    C.RENOVATION: K.COMPREHENSIVE_ENFORCEMENT,
    C.CORRIDOR: K.COMPREHENSIVE_ENFORCEMENT,
    C.FUMES: K.COMPREHENSIVE_ENFORCEMENT,
    C.NOISE: K.COMPREHENSIVE_ENFORCEMENT,
    C.OTHER: K.COMPREHENSIVE_ENFORCEMENT,
    C.INTERNET_CAFE: K.MARKET_SUPERVISION,
    C.FOOD_SAFETY: K.MARKET_SUPERVISION,
    C.FIRE_SAFETY: K.FIRE_RESCUE,
}
BEILUN_OFFICER = "officer_beilun"
COMPLAINTS = [
    # category, business, address, description, name, phone, outcome
    (
        C.FUMES,
        "小李烧烤",
        "新碶街道明州路88号",
        "烧烤店油烟直排，二楼住户常年不能开窗。",
        "陈建华",
        "13805740001",
        "inspection",
    ),
    (
        C.CORRIDOR,
        "",
        "新碶街道泰山路小区5幢2单元",
        "楼道堆放杂物、私拉电线给电瓶车充电。",
        "周敏",
        "13805740002",
        "reply",
    ),
    (C.INTERNET_CAFE, "星空网吧", "新碶街道长江路12号", "网吧深夜接纳未成年人。", "吴磊", "13805740003", "guidance"),
    (C.RENOVATION, "", "大碶街道灵峰路6号", "楼下商铺装修拆改承重墙。", "郑丽", "13805740004", ""),
]
CATALOGUE = [
    (ServiceOffering.Kind.SUMMER_CLASS, "职工子女暑期托班", "工作日8:00–17:30，含午餐和午休。", 40, 45),
    (ServiceOffering.Kind.MEALS, "园区送餐服务", "工作日午餐送至车间，营养套餐。", 200, 90),
    (ServiceOffering.Kind.LEGAL_EDUCATION, "“普法进企业”宣讲", "劳动合同、安全生产法规解读。", 60, 20),
    (ServiceOffering.Kind.COURSE, "电工技能培训班", "低压电工取证培训，12课时。", 30, 30),
    (ServiceOffering.Kind.RECRUITMENT, "社区招聘会", "园区企业集中招聘。", 500, 10),
]


def seed() -> dict:
    if not Region.objects.filter(code="330206000000").exists():
        return {"skipped": "run programs.demo first"}
    routes = _routes()
    complaints = _complaints()
    offerings, orders = _catalogue()
    return {"complaint_routes": routes, "complaints": complaints, "service_offerings": offerings, "orders": orders}


def _routes() -> int:
    for county_code in NINGBO:
        county = Region.objects.get(code=f"{county_code}000000")
        departments = {d.kind: d for d in Department.objects.filter(region=county)}
        for category, kind in ROUTES.items():
            if kind in departments:
                ComplaintRoute.objects.get_or_create(
                    category=category, region=county, defaults={"department": departments[kind]}
                )
    return ComplaintRoute.objects.count()


def _officer(department: Department) -> User:
    user, created = User.objects.get_or_create(
        username=BEILUN_OFFICER,
        defaults={"role": User.Role.OFFICER, "department": department, "region": department.region, "is_staff": True},
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _complaints() -> int:
    beilun = Region.objects.get(code="330206000000")
    bureau = Department.objects.filter(region=beilun, kind=K.COMPREHENSIVE_ENFORCEMENT).first()
    market = Department.objects.filter(region=beilun, kind=K.MARKET_SUPERVISION).first()
    if bureau is None or market is None:
        return 0
    officers = {bureau.pk: _officer(bureau), market.pk: _market_officer(market)}
    towns = list(Region.objects.filter(parent=beilun).order_by("code"))
    enterprises = list(Enterprise.objects.filter(region__code__startswith=beilun.prefix).order_by("pk")[:3])
    for n, (category, business, address, description, name, phone, outcome) in enumerate(COMPLAINTS):
        key = f"demo-complaint-{n}"
        if Complaint.objects.filter(submission_key=key).exists():
            continue
        with transaction.atomic():
            complaint = complaint_services.complaint_file(
                category=category,
                region=towns[1] if address.startswith("大碶") and len(towns) > 1 else towns[0],
                address=address,
                business_name=business,
                description=description,
                complainant_name=name,
                complainant_phone=phone,
                submission_key=key,
            )
            handler = officers[complaint.department_id]
            if not outcome:
                continue
            complaint = complaint_services.complaint_acknowledge(complaint=complaint, actor=handler)
            if outcome in ("inspection", "guidance") and enterprises:
                complaint = complaint_services.complaint_link_enterprise(
                    complaint=complaint, enterprise=enterprises[n % len(enterprises)], actor=handler
                )
            if outcome == "inspection":
                complaint_services.complaint_open_inspection(complaint=complaint, actor=handler)
                reply = "已对该店开展投诉触发检查，责令加装油烟净化设施。"
            elif outcome == "guidance":
                complaint_services.complaint_offer_guidance(complaint=complaint, actor=handler)
                reply = "已约谈经营者并提供行政指导，现场核实后将再次答复。"
            else:
                reply = "社区与物业已当面清理楼道杂物，拆除私拉电线。"
            complaint_services.complaint_reply(complaint=complaint, actor=handler, reply=reply)
    return Complaint.objects.count()


def _market_officer(department: Department) -> User:
    found = User.objects.filter(role=User.Role.OFFICER, department=department).order_by("pk").first()
    if found is not None:
        return found
    user = User.objects.create_user(
        username=f"officer_{department.pk}",
        role=User.Role.OFFICER,
        department=department,
        region=department.region,
        is_staff=True,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def _catalogue() -> tuple[int, int]:
    community = Region.objects.filter(name="118工业社区", level=Region.Level.VILLAGE).first()
    staff = User.objects.filter(username="gridmanager").first() or User.objects.filter(username="coordinator").first()
    if community is None or staff is None:
        return 0, 0
    today = timezone.localdate()
    enterprises = list(Enterprise.objects.filter(region=community).order_by("pk")[:4])
    for n, (kind, title, description, capacity, days) in enumerate(CATALOGUE):
        if ServiceOffering.objects.filter(community=community, title=title).exists():
            continue
        with transaction.atomic():
            offering = ordering_services.offering_publish(
                community=community,
                actor=staff,
                kind=kind,
                title=title,
                description=description,
                starts_on=today + timedelta(days=n * 3),
                ends_on=today + timedelta(days=n * 3 + days),
                capacity=capacity,
            )
            for m, enterprise in enumerate(enterprises[: 2 + n % 3]):
                user = _enterprise_user(enterprise)
                order = ordering_services.order_place(offering=offering, actor=user, people=min(5 + m * 3, capacity))
                if (n + m) % 3 == 2:
                    continue  # waiting for the community
                order = ordering_services.order_accept(order=order, actor=staff)
                if (n + m) % 2 == 0:
                    order = ordering_services.order_deliver(order=order, actor=staff)
                    ordering_services.order_rate(order=order, actor=user, rating=5 - m % 2)
    return ServiceOffering.objects.count(), ServiceOrder.objects.count()


def _enterprise_user(enterprise: Enterprise) -> User:
    user = User.objects.filter(role=User.Role.ENTERPRISE, enterprise=enterprise).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(
            username=f"enterprise_{enterprise.pk}", role=User.Role.ENTERPRISE, enterprise=enterprise, is_staff=False
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
