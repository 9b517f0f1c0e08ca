"""Demo data of the guidance app: the 13 themed scenarios with their checklist items, weekly slot templates
in 鄞州区 and 北仑区 turned into a month of slots, and bookings in every status. Idempotent."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inspections.models import InspectionItem
from programs.models import Department, Enterprise, Region, User
from programs.services import audit_record

from . import services
from .models import Advice, Booking, Mode, Office, Risk, Session, Slot, SlotTemplate, Theme

K = Department.Kind
# code, name, owning department kind, field, simple
ITEMS = [
    ("G-FOOD-01", "食品经营许可与公示", K.MARKET_SUPERVISION, "食品安全", True),
    ("G-FOOD-02", "后厨布局与生熟分开", K.MARKET_SUPERVISION, "食品安全", True),
    ("G-FOOD-03", "从业人员健康证明", K.MARKET_SUPERVISION, "食品安全", True),
    ("G-FIRE-01", "灭火器与消防设施配置", K.FIRE_RESCUE, "消防安全", True),
    ("G-FIRE-02", "疏散通道与安全出口畅通", K.FIRE_RESCUE, "消防安全", True),
    ("G-FIRE-03", "燃气管道与报警装置", K.FIRE_RESCUE, "消防安全", False),
    ("G-OCC-01", "职业病危害因素检测与告知", K.HEALTH, "职业卫生", False),
    ("G-OCC-02", "劳动防护用品配备", K.HEALTH, "职业卫生", True),
    ("G-FUME-01", "油烟净化器安装位置与运行", K.COMPREHENSIVE_ENFORCEMENT, "市容环境", True),
    ("G-FUME-02", "油烟排放口设置", K.ECOLOGY_ENVIRONMENT, "大气污染防治", False),
    ("G-WASTE-01", "生活垃圾分类投放", K.COMPREHENSIVE_ENFORCEMENT, "垃圾分类", True),
    ("G-WASTE-02", "餐厨垃圾收运台账", K.COMPREHENSIVE_ENFORCEMENT, "垃圾分类", True),
    ("G-SIGN-01", "户外招牌设置规范", K.COMPREHENSIVE_ENFORCEMENT, "市容环境", True),
    ("G-RENO-01", "装修工程报备与违规搭建", K.COMPREHENSIVE_ENFORCEMENT, "规划建设", False),
    ("G-RENO-02", "装修材料防火性能", K.FIRE_RESCUE, "消防安全", False),
    ("G-LIFT-01", "电梯使用登记与定期检验", K.MARKET_SUPERVISION, "特种设备", False),
    ("G-LIFT-02", "电梯维保记录", K.MARKET_SUPERVISION, "特种设备", True),
    ("G-CONT-01", "格式合同条款公平性", K.MARKET_SUPERVISION, "合同监管", False),
    ("G-ADV-01", "广告内容合规", K.MARKET_SUPERVISION, "广告监管", False),
    ("G-SAFE-01", "安全生产责任制与隐患排查", K.EMERGENCY_MANAGEMENT, "安全生产", False),
    ("G-SAFE-02", "有限空间作业管理", K.EMERGENCY_MANAGEMENT, "安全生产", False),
    ("G-HAZ-01", "危险废物贮存与转移联单", K.ECOLOGY_ENVIRONMENT, "固体废物", False),
]
# code, title, description, item codes, minutes, online, onsite
THEMES = [
    (
        "open-restaurant",
        "开办餐饮",
        "准备开餐饮店？执照审批、后厨布局、油烟净化、消防、垃圾分类，一次上门讲清楚。",
        ["G-FOOD-01", "G-FOOD-02", "G-FUME-01", "G-FIRE-01", "G-WASTE-02"],
        90,
        True,
        True,
    ),
    (
        "fire-safety",
        "消防安全",
        "消防设施、疏散通道、用火用电用气的日常管理。",
        ["G-FIRE-01", "G-FIRE-02", "G-FIRE-03"],
        60,
        True,
        True,
    ),
    ("occupational-health", "职业卫生", "职业病危害因素检测、告知与防护。", ["G-OCC-01", "G-OCC-02"], 60, True, True),
    (
        "fume-purification",
        "油烟净化",
        "油烟净化器的选型、安装位置与运行维护。",
        ["G-FUME-01", "G-FUME-02"],
        45,
        False,
        True,
    ),
    (
        "waste-sorting",
        "垃圾分类",
        "生活垃圾与餐厨垃圾的分类投放和收运台账。",
        ["G-WASTE-01", "G-WASTE-02"],
        45,
        True,
        True,
    ),
    ("signboard", "招牌设置", "户外招牌的尺寸、位置与报备。", ["G-SIGN-01"], 30, True, True),
    (
        "renovation",
        "装修合规",
        "装修前了解报备要求和防火材料，避免装修“走歪路”。",
        ["G-RENO-01", "G-RENO-02"],
        60,
        True,
        True,
    ),
    ("elevator-safety", "电梯安全", "电梯使用登记、定期检验和维保。", ["G-LIFT-01", "G-LIFT-02"], 45, False, True),
    ("contract-compliance", "合同规范", "格式合同条款的公平性审查。", ["G-CONT-01"], 45, True, False),
    ("food-safety", "食品安全", "食品经营全过程的规范管理。", ["G-FOOD-01", "G-FOOD-02", "G-FOOD-03"], 60, True, True),
    ("work-safety", "安全生产", "安全生产责任制、隐患排查与有限空间作业。", ["G-SAFE-01", "G-SAFE-02"], 90, True, True),
    ("hazardous-waste", "危险废物管理", "危险废物的贮存、标识与转移联单。", ["G-HAZ-01"], 60, True, True),
    ("advertising", "广告合规", "广告内容与发布的合规要求。", ["G-ADV-01"], 30, True, False),
]
COUNTIES = ["330212", "330206"]  # 鄞州区, 北仑区
# Each district's office, named in its booking messages and pages (demo contacts).
OFFICES = {
    "330212": ("鄞州区综合行政执法局 行政指导服务窗口", "宁波市鄞州区惠风东路568号", "0574-87000000"),
    "330206": ("北仑区综合行政执法局 行政指导服务窗口", "宁波市北仑区新大路1166号", "0574-86800000"),
}
# weekday, start, end, mode, capacity, theme codes (None = all)
TEMPLATES = [
    (1, time(9, 0), time(11, 0), Mode.ONSITE, 3, None),
    (1, time(14, 0), time(16, 0), Mode.ONLINE, 5, None),
    (3, time(9, 0), time(11, 0), Mode.ONSITE, 3, ["open-restaurant", "fire-safety", "renovation", "fume-purification"]),
    (4, time(14, 30), time(16, 30), Mode.ONLINE, 5, None),
]


def _department(county: Region, kind: str) -> Department | None:
    return Department.objects.filter(region=county, kind=kind).order_by("id").first()


@transaction.atomic
def seed() -> dict:
    counties = {c: Region.objects.filter(code=c + "000000").first() for c in COUNTIES}
    if not all(counties.values()):
        return {"skipped": "run programs.demo first"}
    home = counties["330212"]
    items = {}
    for code, name, kind, field, simple in ITEMS:
        items[code], _ = InspectionItem.objects.get_or_create(
            code=code,
            defaults={"name": name, "department": _department(home, kind), "field": field, "simple": simple},
        )
    themes = {}
    for position, (code, title, description, item_codes, minutes, online, onsite) in enumerate(THEMES):
        theme, created = Theme.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "description": description,
                "duration_minutes": minutes,
                "offers_online": online,
                "offers_onsite": onsite,
                "position": position,
            },
        )
        if created:
            theme.items.set([items[c] for c in item_codes])
            kinds = {items[c].department.kind for c in item_codes} | {K.COMPREHENSIVE_ENFORCEMENT}
            theme.departments.set(Department.objects.filter(region__in=counties.values(), kind__in=kinds))
        themes[code] = theme
    for code, county in counties.items():
        name, address, phone = OFFICES[code]
        Office.objects.get_or_create(region=county, defaults={"name": name, "address": address, "phone": phone})
        for weekday, start, end, mode, capacity, theme_codes in TEMPLATES:
            template, created = SlotTemplate.objects.get_or_create(
                region=county,
                weekday=weekday,
                start_time=start,
                mode=mode,
                defaults={"end_time": end, "capacity": capacity},
            )
            if created:
                chosen = [themes[c] for c in theme_codes] if theme_codes else list(themes.values())
                template.themes.set([t for t in chosen if mode in t.modes])
    slots = services.slots_generate(weeks=4)
    bookings = _seed_bookings(themes, home)
    return {"themes": len(themes), "slots_created": slots, "bookings": bookings}


def _seed_bookings(themes: dict, county: Region) -> int:
    """Upcoming bookings through the services; a few past visits (completed with advice, risks, a letter and
    feedback; a no-show) written as history, since the services only book times still to come."""
    if Booking.objects.filter(submission_key__startswith="demo-").exists():
        return Booking.objects.filter(submission_key__startswith="demo-").count()
    enterprises = list(Enterprise.objects.filter(region__code__startswith="330212").order_by("id")[:8])
    coordinator = User.objects.filter(username="coordinator").first()
    officer = User.objects.filter(username="officer").first()
    upcoming = [
        ("open-restaurant", None, "周女士的面馆（筹）", "刚租下店面，想了解执照、油烟净化器安装位置和消防要求。"),
        ("fire-safety", 0, None, "仓库改造后想确认疏散通道设置。"),
        ("occupational-health", 1, None, "新上喷涂线，想了解职业病危害检测。"),
        ("waste-sorting", 2, None, "餐厨垃圾台账怎么做？"),
        ("work-safety", 3, None, "年底订单多，想请专家看看车间的安全隐患。"),
    ]
    made = 0
    for n, (code, enterprise_index, new_name, needs) in enumerate(upcoming):
        theme = themes[code]
        slot = (
            Slot.objects.filter(
                themes=theme, region=county, booked__lt=F("capacity"), starts_at__gt=timezone.now() + timedelta(days=1)
            )
            .order_by("starts_at", "id")
            .first()
        )
        if slot is None:
            continue
        enterprise = enterprises[enterprise_index] if enterprise_index is not None else None
        booking = services.booking_create(
            theme=theme,
            slot=slot,
            mode=slot.mode,
            business_name=new_name or "",
            credit_code=enterprise.credit_code if enterprise else "",
            not_registered=enterprise is None,
            contact_name=enterprise.contact_name if enterprise else "周女士",
            contact_phone=enterprise.contact_phone if enterprise else "13900000000",
            contact_email=enterprise.contact_email if enterprise else "zhou@example.cn",
            address=enterprise.address if enterprise else "鄞州区潘火街道东海村88号",
            needs=needs,
            consent=True,
            # Booked by the enterprise's own user where it has one: a code typed anonymously stays unverified.
            actor=enterprise.users.filter(is_active=True).order_by("pk").first() if enterprise else None,
            submission_key=f"demo-{n}",
        )
        if n % 2 == 0 and coordinator is not None:
            services.booking_confirm(booking=booking, actor=coordinator, officers=[officer] if officer else [])
        made += 1
    made += _seed_history(themes, county, enterprises[4:], officer or coordinator)
    return made


def _seed_history(themes: dict, county: Region, enterprises: list, officer: User | None) -> int:
    today = timezone.localdate()
    made = 0
    for n, enterprise in enumerate(enterprises):
        theme = list(themes.values())[n % len(themes)]
        day = today - timedelta(days=7 * (n + 1))
        starts = timezone.make_aware(datetime.combine(day, time(9, 0)))
        mode = theme.modes[n % len(theme.modes)]
        slot = Slot.objects.create(
            starts_at=starts, ends_at=starts + timedelta(hours=2), mode=mode, capacity=3, booked=1, region=county
        )
        slot.themes.set([theme])
        status = Booking.Status.NO_SHOW if n == 3 else Booking.Status.COMPLETED
        booking = Booking.objects.create(
            reference=f"G{day:%y%m%d}-DEMO{n}",
            theme=theme,
            slot=slot,
            region=county,
            mode=mode,
            status=status,
            enterprise=enterprise,
            business_name=enterprise.name,
            credit_code=enterprise.credit_code,
            contact_name=enterprise.contact_name,
            contact_phone=enterprise.contact_phone,
            contact_email=enterprise.contact_email,
            address=enterprise.address,
            needs="希望各部门一次讲清楚合规要求。",
            consent_at=starts - timedelta(days=5),
            submission_key=f"demo-history-{n}",
            created_at=starts - timedelta(days=5),
            confirmed_at=starts - timedelta(days=4),
            completed_at=starts + timedelta(hours=2) if status == Booking.Status.COMPLETED else None,
            summary="现场查看了经营场所，逐项讲解了合规要求。" if status == Booking.Status.COMPLETED else "",
        )
        booking.departments.set(theme.departments.filter(region=county))
        if officer is not None:
            booking.officers.set([officer])
        for old, new in (("", "requested"), ("requested", "confirmed"), ("confirmed", status)):
            audit_record(obj=booking, old=old, new=new, actor=officer, reason="demo history")
        if status != Booking.Status.COMPLETED:
            made += 1
            continue
        session = Session.objects.create(
            booking=booking,
            kind=Session.Kind.FIRST,
            mode=mode,
            held_at=starts,
            summary=booking.summary,
            recorded_by=officer,
            created_at=starts + timedelta(hours=2),
        )
        session.departments.set(booking.departments.all())
        session.officers.set(booking.officers.all())
        for item in theme.items.all()[:2]:
            Advice.objects.create(
                booking=booking,
                session=session,
                item=item,
                text=f"按照“{item.name}”的要求完善相关制度和台账。",
                author=officer,
            )
        item = theme.items.first()
        Risk.objects.create(
            booking=booking,
            session=session,
            item=item,
            description=f"{item.name if item else '现场'}存在隐患，需整改。",
            suggestion="两周内整改并上传照片。",
            deadline=day + timedelta(days=14),
            status=Risk.Status.RECTIFIED if n % 2 == 0 else Risk.Status.OPEN,
            rectified_at=starts + timedelta(days=10) if n % 2 == 0 else None,
            recorded_by=officer,
            created_at=starts + timedelta(hours=1),
        )
        Booking.objects.filter(pk=booking.pk).update(
            satisfaction=5 - n % 2,
            feedback="服务很贴心，少走了弯路。",
            feedback_at=starts + timedelta(days=1),
        )
        # The letter is issued as every letter is: rendered once into its stored PDF.
        services.letter_issue(booking=booking, actor=officer)
        back = starts + timedelta(days=11)  # the risk rectified, an officer came back to see it done (回访)
        if n % 2 == 0 and officer is not None and back < timezone.now():
            follow_up = Session.objects.create(
                booking=booking,
                kind=Session.Kind.FOLLOW_UP,
                mode=mode,
                held_at=back,
                summary="回访确认隐患已整改到位。",
                recorded_by=officer,
                created_at=back,
            )
            follow_up.officers.set([officer])
            follow_up.departments.set([officer.department] if officer.department_id else [])
        made += 1
    return made
