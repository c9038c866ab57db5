"""The same complaint on four channels (issue 3): for each of API, web form, e-mail and WeChat, the time
from the message arriving to the customer's acknowledgement having gone out, in-process.

    .venv/bin/python bench/four_channels.py --rounds 20            # SQLite file var/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaintdesk_intake_bench \\
        .venv/bin/python bench/four_channels.py --rounds 20

Each round sends one complaint per channel through the real entry point (the API endpoint with a bearer
token, the portal's form, the e-mail channel's receive service with a raw RFC 822 message as the poller
hands it over, the WeChat callback with a signed request) with the task queue run in-process.

Two figures per channel:
- **ack**: from the message arriving to the acknowledgement having been handed to its sender (SMS file
  backend, e-mail file backend; for WeChat the passive reply, whose content is the acknowledgement). A
  sender registered after the real ones stamps the time. This is the figure the issue asks for.
- **done**: until the entry point returned. In-process, the queue also runs enrichment (classifier,
  emotion, groups) and what it triggers after the acknowledgement; in production that runs in the
  worker after the reply has gone, so this is an upper bound.
Not counted: the worker's polling interval (bin/run: `db_worker --interval 0.25`, so up to 0.25 s on
the database queue; RQ pushes at once), the mail poller's interval (MAIL_POLL_INTERVAL_SECONDS) before
a mail is fetched, and network time to the customer. Prints p50 / p95 / max in milliseconds.
"""

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

from benchenv import database_label, django_setup

TITLE = "宽带连续三天断网"
TEXT = f"{TITLE}\n家里宽带从11月20日晚上开始断网，光猫LOS灯一直红，重启也没用，已经影响孩子上网课。"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2, help="rounds before the measurement (not counted)")
    args = parser.parse_args()
    django_setup()
    import logging

    logging.disable(logging.INFO)  # the in-process task runner logs every task

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from complaintdesk.accounts.models import Role, User
    from complaintdesk.accounts.services import api_token_issue, user_create
    from complaintdesk.channels.acknowledge import acknowledgement_sender_register
    from complaintdesk.channels.email.services import email_receive
    from complaintdesk.channels.services import channel_actor
    from complaintdesk.demo.organisation import demo_organisation_ensure

    call_command("migrate", verbosity=0)
    units = demo_organisation_ensure()
    user = User.objects.filter(username="bench_api").first() or user_create(
        username="bench_api",
        password=None,
        role=Role.API_CLIENT,
        org_unit=units["HQ"],
        display_name="压测接口",
    )
    _row, token = api_token_issue(user=user, name="bench/four_channels.py")
    outbox = Path(tempfile.mkdtemp(prefix="four-channels-"))
    wechat_token = "benchtoken"
    overrides = {
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": outbox / "mail",
        "NOTIFY_SMS_OUTBOX": outbox / "sms.jsonl",
        "WECHAT_CALLBACK": {
            "TOKEN": wechat_token,
            "ENCODING_AES_KEY": "",
            "APP_ID": "wxbench",
            "MAX_CLOCK_SKEW": 300,
            "APPEND_WINDOW_DAYS": 30,
        },
        "RATE_LIMITS": {**settings.RATE_LIMITS, **{k: "1000000/60" for k in settings.RATE_LIMITS}},
    }
    timings: dict[str, list[float]] = {"api": [], "web form": [], "email": [], "wechat": []}
    acked: list[float] = []
    done: dict[str, list[float]] = {channel: [] for channel in timings}
    acknowledgement_sender_register(lambda ack: acked.append(time.perf_counter()))  # after the real senders

    def measured(channel: str, started: float) -> None:
        assert len(acked) == 1, f"{channel}: {len(acked)} acknowledgements"
        timings[channel].append(acked.pop() - started)
        done[channel].append(time.perf_counter() - started)

    with override_settings(**overrides):
        api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        for round_no in range(args.warmup + args.rounds):
            if round_no == args.warmup:
                for values in (*timings.values(), *done.values()):
                    values.clear()
            tag = uuid.uuid4().hex[:10]
            phone = f"139{round_no:08d}"[-11:]

            started = time.perf_counter()
            response = api.post(
                "/api/v1/complaints",
                content_type="application/json",
                data={
                    "channel": "api",
                    "customer": {"name": "王女士", "phone": phone},
                    "title": TITLE,
                    "description": TEXT,
                    "org_unit": "SH-S01",
                },
                HTTP_IDEMPOTENCY_KEY=tag,
            )
            assert response.status_code == 201, response.content
            measured("api", started)

            web = Client()
            started = time.perf_counter()
            response = web.post(
                "/portal/",
                {
                    "name": "李先生",
                    "phone": phone,
                    "preferred_channel": "sms",
                    "title": TITLE,
                    "description": TEXT,
                    "demand": "尽快修好",
                    "org_unit": "SH-S01",
                },
            )
            assert response.status_code == 302, response.content[:500]
            measured("web form", started)
            web.get(response["Location"])  # the acknowledgement page (not timed)

            message = EmailMessage()
            message["From"] = f"张女士 <zhang.{tag}@example.com>"
            message["To"] = "complaints@example.com"
            message["Subject"] = TITLE
            message["Message-ID"] = f"<{tag}@example.com>"
            message.set_content(TEXT)
            started = time.perf_counter()
            email_receive(raw=message.as_bytes(), actor=channel_actor(channel="email"))
            measured("email", started)

            timestamp, nonce = str(int(time.time())), tag
            signature = hashlib.sha1("".join(sorted([wechat_token, timestamp, nonce])).encode()).hexdigest()
            xml = (
                f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o{tag}]]>"
                f"</FromUserName><CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                f"<Content><![CDATA[{TEXT}]]></Content><MsgId>{int(tag, 16)}</MsgId></xml>"
            )
            started = time.perf_counter()
            response = Client().post(
                f"/channels/wechat/callback?signature={signature}&timestamp={timestamp}&nonce={nonce}",
                data=xml,
                content_type="text/xml",
            )
            assert response.status_code == 200 and b"TS" in response.content, response.content[:300]
            measured("wechat", started)

    print(f"Same complaint on four channels, {args.rounds} rounds, {database_label()}:")
    for channel, values in timings.items():
        line = [f"  {channel:9s}"]
        for label, series in (("ack", values), ("done", done[channel])):
            ms = sorted(v * 1000 for v in series)
            p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
            line.append(f"{label} p50 {statistics.median(ms):7.1f}  p95 {p95:7.1f}  max {ms[-1]:7.1f} ms")
        print("   ".join(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
