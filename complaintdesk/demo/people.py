"""The demo's staff: one user of every role, with generated passwords."""

import secrets
from dataclasses import dataclass

from complaintdesk.accounts.models import Role, User
from complaintdesk.accounts.services import api_token_issue, user_create
from complaintdesk.orgs.models import OrgUnit


@dataclass(frozen=True)
class PersonSpec:
    username: str
    role: str
    unit: str
    display_name: str
    employee_no: str
    extension: str


PEOPLE: tuple[PersonSpec, ...] = (
    # The customer service centre's agent: works what comes in centrally and hands it on (转办).
    PersonSpec("agent_hq", Role.AGENT, "CSC", "刘佳怡", "A0001", "8501"),
    # … and its shift supervisor (班长), who assigns within the centre and hears of its cases' deadlines.
    PersonSpec("supervisor_csc", Role.SUPERVISOR, "CSC", "高文静", "S0001", "8500"),
    # Its manager and its head hold the first two levels of the ladder for a case still at the centre, as a
    # branch's business manager and head do for theirs: a breach there reaches a person, never nobody.
    PersonSpec("manager_csc", Role.BUSINESS_MANAGER, "CSC", "蒋志伟", "M0001", "8510"),
    PersonSpec("head_csc", Role.BRANCH_HEAD, "CSC", "韩雪", "H0001", "8511"),
    PersonSpec("agent_sh01", Role.AGENT, "SH-S01", "张晓雯", "A1001", "8101"),
    PersonSpec("agent_sh", Role.AGENT, "SH", "李俊杰", "A1002", "8102"),
    PersonSpec("agent_hz", Role.AGENT, "HZ", "王思琪", "A1003", "8103"),
    PersonSpec("agent_gz", Role.AGENT, "GZ", "陈嘉豪", "A2001", "8201"),
    PersonSpec("agent_sz", Role.AGENT, "SZ", "林晓婷", "A2002", "8202"),
    PersonSpec("manager_sh", Role.BUSINESS_MANAGER, "SH", "赵建国", "M1001", "8110"),
    PersonSpec("head_sh", Role.BRANCH_HEAD, "SH", "周海峰", "H1001", "8100"),
    # Every branch has its business manager and head, so each escalation finds a holder in its own chain.
    PersonSpec("manager_hz", Role.BUSINESS_MANAGER, "HZ", "钱文博", "M1002", "8130"),
    PersonSpec("head_hz", Role.BRANCH_HEAD, "HZ", "冯雪梅", "H1002", "8131"),
    PersonSpec("manager_gz", Role.BUSINESS_MANAGER, "GZ", "梁志强", "M2001", "8210"),
    PersonSpec("head_gz", Role.BRANCH_HEAD, "GZ", "邓丽娟", "H2001", "8200"),
    PersonSpec("manager_sz", Role.BUSINESS_MANAGER, "SZ", "许家明", "M2002", "8230"),
    PersonSpec("head_sz", Role.BRANCH_HEAD, "SZ", "谢婉清", "H2002", "8231"),
    PersonSpec("general_mgmt", Role.GENERAL_MANAGEMENT, "HQ", "吴静怡", "G0001", "8001"),
    PersonSpec("executive", Role.EXECUTIVE, "HQ", "郑国栋", "E0001", "8000"),
    PersonSpec("supervisor_east", Role.SUPERVISOR, "EAST", "孙丽华", "S1001", "8120"),
    PersonSpec("qa_inspector", Role.QUALITY_INSPECTOR, "HQ", "何雅琴", "Q0001", "8010"),
    PersonSpec("billing_staff", Role.DEPARTMENT_STAFF, "BILLING", "马志远", "D0101", "8301"),
    PersonSpec("network_staff", Role.DEPARTMENT_STAFF, "NETWORK", "黄振宇", "D0201", "8401"),
    PersonSpec("sysadmin", Role.ADMINISTRATOR, "HQ", "郭明", "IT0001", "8999"),
    PersonSpec("crm_api", Role.API_CLIENT, "HQ", "呼叫中心 CRM 接口", "", ""),
)
API_CLIENT_USERNAME = "crm_api"

# Who takes and works the complaints of each intake unit (the nearest agent above or at it).
HANDLER_OF_UNIT = {
    "SH-S01": "agent_sh01", "SH": "agent_sh", "SH-S02": "agent_sh", "HZ": "agent_hz", "HZ-S01": "agent_hz",
    "GZ": "agent_gz", "GZ-S01": "agent_gz", "GZ-S02": "agent_gz", "SZ": "agent_sz", "SZ-S01": "agent_sz",
}  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    user: User
    password: str  # "" for the API client, which signs in with its token only


def demo_people_create(*, units: dict[str, OrgUnit]) -> tuple[list[DemoAccount], str]:
    """Every demo user, through accounts.services; passwords are random and returned only here.
    Also the API client's bearer token (returned in clear once, stored hashed)."""
    accounts = []
    for spec in PEOPLE:
        password = "" if spec.role == Role.API_CLIENT else secrets.token_urlsafe(12)
        user = user_create(
            username=spec.username, password=password or None, role=spec.role, org_unit=units[spec.unit],
            display_name=spec.display_name, employee_no=spec.employee_no, extension=spec.extension,
            email=f"{spec.username}@example.com" if spec.role != Role.API_CLIENT else "",
        )  # fmt: skip
        accounts.append(DemoAccount(user=user, password=password))
    api_user = next(a.user for a in accounts if a.user.username == API_CLIENT_USERNAME)
    _row, token = api_token_issue(user=api_user, name="demo")
    return accounts, token
