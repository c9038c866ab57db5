"""`manage.py load_demo`: once, through the services, with every role and private credentials."""

import io
import re
import stat
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models import Count

from complaintdesk.accounts.models import Role, User
from complaintdesk.accounts.services import api_token_authenticate
from complaintdesk.calendars.models import BusinessHours
from complaintdesk.complaints.models import Category, Complaint, ComplaintEvent, EventKind
from complaintdesk.complaints.states import OPEN_STATUSES, ContactKind, Status
from complaintdesk.demo.central import CENTRAL_CASES
from complaintdesk.demo.organisation import CATEGORIES, OFFICE_HOURS, UNIT_HOURS, UNITS
from complaintdesk.demo.people import PEOPLE
from complaintdesk.notifications.models import Notification
from complaintdesk.orgs.models import OrgUnit, UnitKind
from complaintdesk.quality.selectors import inspector_queue
from complaintdesk.sla.models import SlaPolicy

REPO_ROOT = Path(django_settings.BASE_DIR)
SKIPPED_DIRS = {".git", ".venv", "var", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules"}


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def load_demo(**options) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def credentials(path: Path) -> tuple[dict[str, str], str]:
    """Passwords by username and the API token, read back from the credentials file."""
    text = path.read_text(encoding="utf-8")
    passwords = {}
    for line in text.splitlines():
        cells = line.split()
        if cells and cells[0] in {p.username for p in PEOPLE} and "(API" not in line:
            passwords[cells[0]] = cells[-1]
    token = re.search(r"API token \(\w+\): (\S+)", text).group(1)
    return passwords, token


@pytest.mark.django_db
def test_a_second_run_loads_nothing_and_says_how_to_sign_in(var_dir, monkeypatch):
    monkeypatch.setenv("PORT", "8765")
    first = load_demo(complaints=10, seed=1)
    second = load_demo(complaints=10, seed=1)

    assert OrgUnit.objects.filter(code="HQ").count() == 1
    assert OrgUnit.objects.count() == len(UNITS)
    assert Category.objects.count() == len(CATEGORIES)
    assert SlaPolicy.objects.filter(org_unit__isnull=True, category__isnull=True).count() == 1
    # People of the demo; the system accounts (system.*) come from the accounts migration, the channels'
    # accounts (channel-*) from the first case each channel took in (demo/central.py).
    people = User.objects.exclude(username__startswith="system.").exclude(username__startswith="channel-")
    assert people.count() == len(PEOPLE)
    # The sample complaints; the demo's incidents bring their own (demo/outreach.py, test_outreach_demo.py), and
    # one inquiry of demo/contacts.py was turned into a complaint.
    # And those waiting at the customer service centre (demo/central.py, test_central_demo.py).
    assert Complaint.objects.filter(incident_link__isnull=True, kind=ContactKind.COMPLAINT).count() == (
        10 + 1 + len(CENTRAL_CASES)
    )
    passwords, token = credentials(var_dir / "demo_credentials.txt")
    assert all(password in first for password in passwords.values())
    assert str(var_dir / "demo_credentials.txt") in second
    assert "http://127.0.0.1:8765/login/" in second
    assert all(p.username in second for p in PEOPLE)
    assert not any(password in second for password in passwords.values())
    assert token not in second


@pytest.mark.django_db
@pytest.mark.long
def test_two_hundred_complaints_in_many_states_each_with_its_created_event(var_dir):
    load_demo(seed=2)

    complaints = (
        Complaint.objects.filter(incident_link__isnull=True, kind=ContactKind.COMPLAINT)
        .exclude(  # without the incidents' own
            events__kind=EventKind.KIND_CHANGED
        )  # nor the inquiry turned complaint (demo/contacts.py)
        .exclude(org_unit__code="CSC")  # nor those waiting at the customer service centre (demo/central.py)
    )
    assert complaints.count() == 200
    by_status = dict(complaints.values_list("status").annotate(n=Count("id")))
    assert len(by_status) >= 9, by_status
    assert by_status["closed"] > by_status.get("new", 0)
    created_events = ComplaintEvent.objects.filter(kind=EventKind.CREATED, complaint__in=complaints)
    assert created_events.count() == 200
    assert created_events.values("complaint").distinct().count() == 200
    # Deadlines as the services keep them: an open case has a nearest deadline, a finished one none.
    assert not complaints.filter(status__in=OPEN_STATUSES, due_at__isnull=True).exists()
    assert not complaints.exclude(status__in=OPEN_STATUSES).filter(due_at__isnull=False).exists()
    assert all(re.fullmatch(r"TS\d{8}\d{6}", n) for n in complaints.values_list("number", flat=True))
    # Spread over the past two months, analysed in part, and some customers came back.
    days = {c.created_at.date() for c in complaints}
    assert len(days) > 30
    assert complaints.filter(severity="major").exists() and complaints.filter(complexity="complex").exists()
    assert complaints.values("customer").annotate(n=Count("id")).filter(n__gt=1).exists()


@pytest.mark.django_db
def test_every_role_has_a_user_whose_password_works_and_the_file_is_private(var_dir):
    load_demo(complaints=5, seed=3)

    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    path = var_dir / "demo_credentials.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    passwords, token = credentials(path)
    users = {u.username: u for u in User.objects.all()}
    assert set(passwords) == {p.username for p in PEOPLE if p.role != Role.API_CLIENT}
    assert all(users[name].check_password(password) for name, password in passwords.items())
    assert api_token_authenticate(token=token).role == Role.API_CLIENT
    assert not users["crm_api"].has_usable_password()


@pytest.mark.django_db
def test_no_generated_password_is_in_the_repository(var_dir):
    load_demo(complaints=1, seed=4)
    passwords, token = credentials(var_dir / "demo_credentials.txt")
    secrets_ = [*passwords.values(), token]
    for path in REPO_ROOT.rglob("*"):
        if not path.is_file() or SKIPPED_DIRS.intersection(path.relative_to(REPO_ROOT).parts):
            continue
        if path.stat().st_size > 2_000_000:
            continue
        content = path.read_bytes().decode("utf-8", errors="ignore")
        assert not any(secret in content for secret in secrets_), path


@pytest.mark.django_db
def test_every_unit_that_takes_cases_finds_a_holder_at_every_level_of_the_ladder(var_dir):
    """Stores, franchises and the service centre where centrally received cases land: a breach there
    must reach a person at every level, never go silent."""
    from complaintdesk.escalation.selectors import ladder_rules_for, level_holder_find

    load_demo(complaints=0, seed=1)
    stores = OrgUnit.objects.filter(kind__in=["store", "franchise", "service_centre"])
    assert stores.count() >= 5 and stores.filter(kind="service_centre").exists()
    for store in stores:
        ladder = ladder_rules_for(unit=store)
        for level in ladder.levels:
            if level.position == 0 or level.is_external:
                continue
            holder = level_holder_find(unit=store, level=level)
            assert not holder.missing and holder.user is not None, (store.code, level.code)


@pytest.mark.django_db
def test_the_demo_has_contacts_of_every_kind_each_in_its_own_lifecycle(var_dir):
    load_demo(complaints=5, seed=3)

    contacts = Complaint.objects.all()
    by_kind = dict(contacts.values_list("kind").annotate(n=Count("id")))
    assert set(by_kind) == set(ContactKind.values), by_kind
    # Inquiries answered at first contact are closed with the answer on the timeline.
    answered = contacts.filter(kind=ContactKind.INQUIRY, status=Status.CLOSED)
    assert answered.count() >= 4
    assert (
        ComplaintEvent.objects.filter(
            complaint__in=answered, kind=EventKind.TRANSITION, new_value=Status.CLOSED, reason__contains="已"
        ).count()
        == answered.count()
    )
    # Suggestions are routed to the department that owns them; praise is credited to a person.
    assert not contacts.filter(kind=ContactKind.SUGGESTION, owner_unit__isnull=True).exists()
    assert not contacts.filter(kind=ContactKind.PRAISE, credited_user__isnull=True).exists()
    # One inquiry became a complaint, keeping its number and its history.
    turned = Complaint.objects.get(events__kind=EventKind.KIND_CHANGED)
    assert turned.kind == ContactKind.COMPLAINT
    assert list(turned.events.values_list("kind", flat=True)[:2]) == [
        EventKind.CREATED,
        EventKind.KIND_CHANGED,
    ]
    # No praise or inquiry runs a complaint's clocks it does not have.
    assert not contacts.filter(kind=ContactKind.PRAISE, due_at__isnull=False).exists()


@pytest.mark.django_db
def test_the_demo_keeps_business_hours_and_promises_fall_within_them(var_dir):
    """A customer is never promised an answer "by 02:00": the demo organisation has office hours,
    the customer service centre and the stores their own, and every time a message promises falls
    within the hours of some unit (08:00–21:00), or is the end of a day (24:00)."""
    load_demo(complaints=30, seed=5)

    assert BusinessHours.objects.get(org_unit=None).periods() == OFFICE_HOURS
    assert BusinessHours.objects.get(org_unit__code="CSC").periods() == UNIT_HOURS["CSC"]
    assert BusinessHours.objects.filter(org_unit__kind=UnitKind.FRANCHISE).count() == len(
        [s for s in UNITS if s.kind == UnitKind.FRANCHISE]
    )
    bodies = list(Notification.objects.values_list("body", flat=True))
    times = [(int(h), int(m)) for body in bodies for h, m in re.findall(r"日（周.）(\d{2}):(\d{2})", body)]
    assert len(times) >= 10, bodies[:3]
    assert all((8, 0) <= t <= (21, 0) or t == (24, 0) for t in times), sorted(set(times))


@pytest.mark.django_db
def test_the_quality_inspector_has_last_periods_sample_to_score_on_the_first_morning(var_dir):
    """The nightly draw would make the sample only the next night: the demo draws the last complete period
    itself, so qa_inspector's 待评分 is not empty when the demo is first opened."""
    load_demo(complaints=60, seed=3)
    inspector = User.objects.get(role=Role.QUALITY_INSPECTOR)
    pending = inspector_queue(user=inspector)
    assert pending, "the inspector's queue is empty"
    assert all(item.sample.complaint.status == Status.CLOSED for item in pending)
