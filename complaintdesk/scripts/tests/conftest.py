import datetime as dt

import pytest

from complaintdesk.accounts.services import user_create
from complaintdesk.complaints.services import IntakeCustomer, IntakeData, complaint_create

# Tuesday 24 Nov 2026, 09:00 in Shanghai.
START = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: START)
    return START


@pytest.fixture
def agent(org):
    return user_create(
        username="limin",
        password=None,
        role="agent",
        org_unit=org.store_a,
        display_name="李敏",
        employee_no="10086",
        extension="8021",
    )


@pytest.fixture
def complaint(org, agent, frozen_now):
    return complaint_create(
        data=IntakeData(
            channel="phone",
            title="宽带连续三天断网",
            description="家里宽带从周五晚上开始断网，重启光猫也没用，已经影响孩子上网课。",
            demand="尽快修好，并减免本月月租",
            product="家庭宽带",
            category_code=org.category.code,
            customer=IntakeCustomer(
                name="王丽女士", phone="13800138000", email="wang.li@example.com", account_no="ACC-20261124"
            ),
        ),
        actor=agent,
    )
