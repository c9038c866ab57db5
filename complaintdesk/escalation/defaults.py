"""The default ladder (SPEC §2 step 4, §3; seed 001): front line → business manager (业务经理) → branch
head (营业机构负责人) → general management dept (综合管理部) → executive (管理层) → external bodies.

Each level from the business manager up tells the customer within 2 working days that it has the
case and resolves within 5 (the SLA policy's `level_acknowledge` / `level_resolve`); the business
manager resolves a general complaint within 3 working days. A resolve breach moves the case up one
level, an acknowledge breach is told to the next level; at the executive a breach is told to
general management and the executive, since going outside is the customer's decision. A reputation
risk goes to general management, a batch/group complaint to the branch head.

Data migration 0002 writes the same ladder; `selectors.ladder_rules_for` falls back to this one
when the database has none.
"""

from complaintdesk.accounts.models import Role

from .engine import ESCALATE, NOTIFY, LadderRules, LevelRule

DEFAULT_LADDER_NAME = "默认升级阶梯"

DEFAULT_LEVELS: tuple[LevelRule, ...] = (
    LevelRule(
        0,
        "front_line",
        "一线客服",
        holder_role=Role.AGENT,
        name_en="Front-line agent",
        on_acknowledge_breach=NOTIFY,
        on_resolve_breach=ESCALATE,
        notify_roles=(Role.BUSINESS_MANAGER,),
    ),
    LevelRule(
        1,
        "business_manager",
        "业务经理",
        holder_role=Role.BUSINESS_MANAGER,
        name_en="Business manager",
        resolve_limit_general="3wd",
        on_acknowledge_breach=NOTIFY,
        on_resolve_breach=ESCALATE,
        notify_roles=(Role.BRANCH_HEAD,),
    ),
    LevelRule(
        2,
        "branch_head",
        "营业机构负责人",
        holder_role=Role.BRANCH_HEAD,
        name_en="Branch head",
        on_acknowledge_breach=NOTIFY,
        on_resolve_breach=ESCALATE,
        notify_roles=(Role.GENERAL_MANAGEMENT,),
    ),
    LevelRule(
        3,
        "general_management",
        "综合管理部",
        holder_role=Role.GENERAL_MANAGEMENT,
        name_en="General management dept",
        on_acknowledge_breach=NOTIFY,
        on_resolve_breach=ESCALATE,
        notify_roles=(Role.EXECUTIVE,),
    ),
    LevelRule(
        4,
        "executive",
        "管理层",
        holder_role=Role.EXECUTIVE,
        name_en="Executive management",
        on_acknowledge_breach=NOTIFY,
        on_resolve_breach=NOTIFY,
        notify_roles=(Role.GENERAL_MANAGEMENT, Role.EXECUTIVE),
    ),
    LevelRule(
        5,
        "external",
        "外部机构",
        holder_role="",
        is_external=True,
        name_en="External body",
        on_acknowledge_breach="none",
        on_resolve_breach="none",
    ),
)

DEFAULT_REPUTATION_RISK_LEVEL = 3
DEFAULT_BATCH_LEVEL = 2

DEFAULT_LADDER = LadderRules(
    levels=DEFAULT_LEVELS,
    reputation_risk_level=DEFAULT_REPUTATION_RISK_LEVEL,
    batch_level=DEFAULT_BATCH_LEVEL,
)
