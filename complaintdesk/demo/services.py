"""Loading the demo: organisation, people and sample complaints, all through the product's services."""

import random
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from complaintdesk.accounts.models import User
from complaintdesk.quality.tasks import last_period_draw

from .cases import demo_complaints_create
from .central import demo_central_cases_ensure
from .contacts import demo_contacts_create
from .credentials import credentials_write
from .learning import demo_learning_create
from .organisation import demo_business_hours_ensure, demo_organisation_build, demo_organisation_exists
from .outreach import demo_outreach_ensure
from .people import API_CLIENT_USERNAME, PEOPLE, DemoAccount, demo_people_create

DEFAULT_COMPLAINT_COUNT = 200


@dataclass(frozen=True)
class DemoLoaded:
    accounts: list[DemoAccount]
    api_token: str
    complaint_count: int
    credentials_path: Path
    contact_count: int = 0  # inquiries, suggestions and praise (and one inquiry turned complaint)
    central_count: int = 0  # received centrally, waiting at the customer service centre to be handed on


def demo_is_loaded() -> bool:
    return demo_organisation_exists()


def demo_usernames() -> list[str]:
    """The demo users that exist, in the order of the demo's table."""
    present = set(
        User.objects.filter(username__in=[p.username for p in PEOPLE]).values_list("username", flat=True)
    )
    return [p.username for p in PEOPLE if p.username in present]


@transaction.atomic
def demo_load(
    *, login_url: str, complaint_count: int = DEFAULT_COMPLAINT_COUNT, seed: int | None = None
) -> DemoLoaded:
    """Build everything in one transaction, so a failure leaves nothing half-loaded and the next
    start simply tries again. The credentials file is written last, inside it: if writing fails,
    no users exist whose passwords nobody knows."""
    rng = random.Random(seed)
    units = demo_organisation_build()
    demo_business_hours_ensure(units)  # before any case: its promises follow the hours
    accounts, api_token = demo_people_create(units=units)
    people = {account.user.username: account.user for account in accounts}
    complaints = demo_complaints_create(rng=rng, people=people, count=complaint_count)
    demo_learning_create(rng=rng, people=people, complaints=complaints)
    demo_outreach_ensure(seed=seed)
    contacts = demo_contacts_create(rng=rng, people=people)
    central = demo_central_cases_ensure()  # waiting at the customer service centre, to be handed on
    # The inspectors' sample of the last complete period, which the nightly draw would make only tomorrow:
    # on the first morning the quality inspector has cases to score.
    last_period_draw(seed=None if seed is None else str(seed))
    path = credentials_write(
        accounts=accounts, api_token=api_token, api_username=API_CLIENT_USERNAME, login_url=login_url
    )
    return DemoLoaded(
        accounts=accounts,
        api_token=api_token,
        complaint_count=len(complaints),
        credentials_path=path,
        contact_count=len(contacts),
        central_count=len(central),
    )
