import os
import time

from django.core.management.base import BaseCommand

from complaintdesk.demo.central import demo_central_cases_ensure
from complaintdesk.demo.credentials import accounts_table, credentials_path
from complaintdesk.demo.outreach import demo_outreach_ensure
from complaintdesk.demo.services import DEFAULT_COMPLAINT_COUNT, demo_is_loaded, demo_load, demo_usernames


class Command(BaseCommand):
    help = (
        "Load the demo organisation, one user of every role and ~200 sample complaints. "
        "Does nothing but print how to sign in when the demo is already there (safe on every start)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--complaints", type=int, default=DEFAULT_COMPLAINT_COUNT, help="sample complaints to load"
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="random seed, to reproduce the same sample data"
        )

    def handle(self, *args, complaints: int, seed: int | None, **options):
        # Staff sign in to the workbench; the administrator also reaches /admin/ from there.
        login_url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/login/"
        if demo_is_loaded():
            if demo_outreach_ensure(seed=seed):  # a demo loaded before incidents existed gets them now
                self.stdout.write("演示事件与关怀活动已补充 / demo incidents and campaigns added.")
            if filed := demo_central_cases_ensure():  # a demo loaded before they existed gets them now
                self.stdout.write(
                    f"客服中心待转办的投诉已补充 / {len(filed)} cases waiting at the customer service centre added."
                )
            self._already_loaded(login_url)
            return
        started = time.monotonic()
        loaded = demo_load(login_url=login_url, complaint_count=complaints, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已加载 / demo loaded: {loaded.complaint_count} complaints, "
                f"{loaded.contact_count} inquiries, suggestions and praise, {loaded.central_count} waiting at the "
                f"customer service centre, {len(loaded.accounts)} users "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
        self.stdout.write("These passwords are shown only now; they are also in the file below (mode 600).\n")
        self.stdout.write(accounts_table(loaded.accounts))
        self.stdout.write(f"\nAPI token (crm_api): {loaded.api_token}")
        self.stdout.write(f"Credentials file: {loaded.credentials_path}")
        self.stdout.write(f"Sign in: {login_url}  (configuration: /admin/ as sysadmin)")

    def _already_loaded(self, login_url: str) -> None:
        path = credentials_path()
        self.stdout.write("演示数据已存在 / demo already loaded; nothing to do.")
        self.stdout.write(f"Users: {', '.join(demo_usernames())}")
        if path.exists():
            self.stdout.write(f"Passwords and the API token: {path}")
        else:
            self.stdout.write(
                f"The credentials file {path} is missing; set a new password with `manage.py changepassword`."
            )
        self.stdout.write(f"Sign in: {login_url}  (configuration: /admin/ as sysadmin)")
