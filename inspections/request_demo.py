"""Demo data of enterprise requests (企业诉求) and joint assistance (联合帮扶) in 宁波市江北区前江街道's 118 工业社区:
the routing table (roads and traffic to the district's comprehensive enforcement bureau, permits to market
supervision, the rest to the community itself); requests its grid managers collected from the community's
enterprises, most answered (a few late, so escalated) and rated; and seven cross-department rectification
problems solved by joint assistance, as Ningbo reports ("帮助企业破解跨部门、跨领域的整改难题7件"), with one still
open. Through the services; idempotent (requests by their submission key, cases by their title)."""

from datetime import timedelta

from django.utils import timezone

from programs.models import Department, Enterprise, Region, User

from .models import AssistanceCase, AssistanceTask, EnterpriseRequest, RequestRoute
from .services import assistance as assistance_services
from .services import requests as request_services

COMMUNITY, DISTRICT = "330205003001", "330205000000"
K = Department.Kind
# category, days ago filed, title, description, answer ("" = still open), answered after (days), rating
REQUESTS = [
    (
        "infrastructure",
        12,
        "园区北路施工，货车无法进出",
        "北路施工围挡占用车道，大货车无法进出厂区。",
        "已协调施工单位，每晚22点后开放一条车道。",
        2,
        5,
    ),
    (
        "recruitment",
        11,
        "旺季招工缺口30人",
        "订单增加，急需普工30名。",
        "已纳入社区招聘会专场，推送求职人员42名。",
        3,
        5,
    ),
    (
        "policy",
        10,
        "研发费用加计扣除政策咨询",
        "想了解今年研发费用加计扣除的申报口径。",
        "已安排税务专员上门讲解并提供申报指引。",
        1,
        5,
    ),
    (
        "resources",
        9,
        "厂区用电增容",
        "新增两条产线，需要用电增容。",
        "已对接供电所现场勘查，预计两周内完成增容。",
        6,
        3,
    ),
    (
        "permits",
        9,
        "食堂食品经营许可办理",
        "职工食堂需要办理食品经营许可。",
        "已提供一次性告知清单，并预约上门指导。",
        2,
        4,
    ),
    ("finance", 8, "技改贷款贴息申请", "咨询技改项目贷款贴息的申请条件。", "已转区经信局，告知申报时间和材料。", 4, 4),
    ("infrastructure", 7, "园区路灯损坏夜间不安全", "园区东侧路灯损坏多盏。", "已报修，路灯已全部修复。", 1, 5),
    ("policy", 6, "外地员工子女入学咨询", "外地员工子女秋季入学需要哪些材料。", "已提供积分入学政策和材料清单。", 2, 5),
    ("resources", 5, "仓储用地紧张", "原料仓库不够用，希望协调临时堆场。", "", 0, None),
    ("recruitment", 3, "技能人才培训需求", "希望社区组织数控技能培训。", "", 0, None),
    ("infrastructure", 1, "厂门口积水", "雨天厂门口严重积水，影响出入。", "", 0, None),
    ("other", 0, "企业开放日活动场地", "想借用社区会议室举办开放日。", "", 0, None),
]
# title, problem, lead kind, participating kinds, tasks (department kind, task)
CASES = [
    (
        "消防通道被原料堆场占用",
        "原料无处堆放导致消防通道被占，需同时解决堆放场地与消防整改。",
        K.FIRE_RESCUE,
        [K.COMPREHENSIVE_ENFORCEMENT],
        [(K.FIRE_RESCUE, "现场核查消防通道并指导整改"), (K.COMPREHENSIVE_ENFORCEMENT, "协调临时原料堆放场地")],
    ),
    (
        "油烟净化与餐饮许可同步整改",
        "职工食堂油烟净化不达标，同时许可证即将到期。",
        K.ECOLOGY_ENVIRONMENT,
        [K.MARKET_SUPERVISION],
        [(K.ECOLOGY_ENVIRONMENT, "指导油烟净化设施改造"), (K.MARKET_SUPERVISION, "办理食品经营许可延续")],
    ),
    (
        "危化品仓库安全距离不足",
        "危化品仓库与员工宿舍距离不足，需重新规划并整改消防设施。",
        K.EMERGENCY_MANAGEMENT,
        [K.FIRE_RESCUE],
        [(K.EMERGENCY_MANAGEMENT, "审核仓库搬迁方案"), (K.FIRE_RESCUE, "验收新仓库消防设施")],
    ),
    (
        "职业病危害与通风改造",
        "打磨车间粉尘超标，通风改造涉及环保审批。",
        K.HEALTH,
        [K.ECOLOGY_ENVIRONMENT],
        [(K.HEALTH, "组织职业病危害因素检测"), (K.ECOLOGY_ENVIRONMENT, "指导除尘设备环保备案")],
    ),
    (
        "户外招牌与消防登高面冲突",
        "新设招牌遮挡消防登高操作面。",
        K.COMPREHENSIVE_ENFORCEMENT,
        [K.FIRE_RESCUE],
        [(K.COMPREHENSIVE_ENFORCEMENT, "指导招牌重新设置"), (K.FIRE_RESCUE, "复核消防登高操作面")],
    ),
    (
        "特种设备检验与电梯改造",
        "货梯检验不合格，改造涉及建筑消防。",
        K.MARKET_SUPERVISION,
        [K.FIRE_RESCUE],
        [(K.MARKET_SUPERVISION, "跟进货梯改造与检验"), (K.FIRE_RESCUE, "核查电梯井道防火封堵")],
    ),
    (
        "废水排放与雨污分流",
        "厂区雨污混接，整改涉及市政管网。",
        K.ECOLOGY_ENVIRONMENT,
        [K.COMPREHENSIVE_ENFORCEMENT],
        [(K.ECOLOGY_ENVIRONMENT, "指导废水预处理"), (K.COMPREHENSIVE_ENFORCEMENT, "协调市政管网接驳")],
    ),
    (
        "安全生产责任制与应急预案",
        "安全生产责任制未落实，应急预案未备案，涉及多部门检查意见。",
        K.EMERGENCY_MANAGEMENT,
        [K.FIRE_RESCUE],
        [(K.EMERGENCY_MANAGEMENT, "指导修订应急预案"), (K.FIRE_RESCUE, "组织消防应急演练")],
    ),
]
SOLVED = 7  # the first seven are solved; the last is under way


def _department(kind: str) -> Department | None:
    return Department.objects.filter(region__code=DISTRICT, kind=kind).order_by("id").first()


def _officer(department: Department) -> User:
    """The department's first officer (the inspections demo names one ``officer_<id>`` where there was none)."""
    officer = User.objects.filter(role=User.Role.OFFICER, department=department, is_active=True).order_by("id").first()
    if officer is None:
        officer = User.objects.create_user(
            username=f"officer_{department.pk}",
            role=User.Role.OFFICER,
            department=department,
            region=department.region,
            is_staff=True,
        )
    return officer


def _routes(community: Region, coordinator: User) -> int:
    wanted = [("", None, community, 5), ("infrastructure", K.COMPREHENSIVE_ENFORCEMENT, None, 3)]
    wanted.append(("permits", K.MARKET_SUPERVISION, None, 5))
    for category, kind, route_community, days in wanted:
        if RequestRoute.objects.filter(region=community, category=category).exists():
            continue
        department = _department(kind) if kind else None
        if kind and department is None:
            continue
        route = RequestRoute(
            region=community, category=category, department=department, community=route_community, response_days=days
        )
        request_services.request_route_save(route=route, actor=coordinator)
    return RequestRoute.objects.filter(region=community).count()


def _requests(community: Region, manager: User, leader: User) -> int:
    enterprises = list(Enterprise.objects.filter(region=community, micro_grid__grid__code="G01").order_by("id"))
    if not enterprises:
        return 0
    now = timezone.now()
    for n, (category, ago, title, description, answer, after, rating) in enumerate(REQUESTS):
        filed = request_services.request_file(
            enterprise=enterprises[n % len(enterprises)],
            category=category,
            title=title,
            description=description,
            actor=manager,
            submission_key=f"demo-request-{n}",
        )
        if filed.created_at < now:
            continue  # filed (and moved on) by an earlier run
        # The demo's history: the request was filed ``ago`` days back, its deadline counted from then.
        days = filed.route.response_days if filed.route else request_services.DEFAULT_RESPONSE_DAYS
        created = now - timedelta(days=ago)
        EnterpriseRequest.objects.filter(pk=filed.pk).update(created_at=created, due_at=created + timedelta(days=days))
        filed.refresh_from_db()
        if not answer:
            continue
        handler = _officer(filed.department) if filed.department_id else leader
        if after > days:
            request_services.requests_escalate_overdue(now=filed.due_at + timedelta(hours=1))
        filed = request_services.request_accept(request=filed, actor=handler)
        answered = request_services.request_answer(request=filed, reply=answer, actor=handler)
        answered_at = created + timedelta(days=after)
        EnterpriseRequest.objects.filter(pk=answered.pk).update(
            answered_at=answered_at, answered_on_time=answered_at <= answered.due_at
        )
        request_services.request_rate(request=answered, rating=rating, actor=manager, comment="")
    return EnterpriseRequest.objects.filter(enterprise__region=community).count()


def _cases(community: Region, coordinator: User) -> int:
    enterprises = list(Enterprise.objects.filter(region=community, is_key=True).order_by("id")[: len(CASES)])
    today = timezone.localdate()
    for n, (title, problem, lead_kind, other_kinds, tasks) in enumerate(CASES):
        if AssistanceCase.objects.filter(title=title, enterprise__region=community).exists() or n >= len(enterprises):
            continue
        lead = _department(lead_kind)
        departments = [d for d in map(_department, other_kinds) if d is not None]
        if lead is None or not departments:
            continue
        case = assistance_services.assistance_open(
            enterprise=enterprises[n],
            title=title,
            problem=problem,
            lead_department=lead,
            departments=departments,
            target_on=today + timedelta(days=30),
            actor=coordinator,
        )
        lead_officer = _officer(lead)
        for kind, task_title in tasks:
            department = _department(kind)
            assistance_services.assistance_task_add(
                case=case,
                department=department,
                owner=_officer(department),
                title=task_title,
                deadline=today + timedelta(days=14),
                actor=lead_officer,
            )
        if n >= SOLVED:
            continue
        for task in AssistanceTask.objects.filter(case=case).select_related("owner"):
            assistance_services.assistance_task_done(task=task, actor=task.owner, note="已完成")
        assistance_services.assistance_close(
            case=case, resolution=f"{title}：经{lead.name}牵头、多部门联合帮扶，整改完成。", actor=lead_officer
        )
    return AssistanceCase.objects.filter(enterprise__region=community, status=AssistanceCase.Status.SOLVED).count()


def seed() -> dict:
    community = Region.objects.filter(code=COMMUNITY).first()
    coordinator = User.objects.filter(username="coordinator").first()
    manager = User.objects.filter(username="gridmanager").first()
    leader = User.objects.filter(username="qianjiang_leader").first()
    if None in (community, coordinator, manager, leader):
        return {"requests": "skipped: run programs.demo first"}
    return {
        "request_routes": _routes(community, coordinator),
        "requests": _requests(community, manager, leader),
        "assistance_solved": _cases(community, coordinator),
    }
