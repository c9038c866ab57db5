"""Real mail servers on loopback for the email channel's tests: a throwaway dovecot (IMAP) and an
aiosmtpd sink (SMTP), both started by the tests and stopped after them.

Without dovecot the IMAP tests skip, unless REQUIRE_SERVICES=1 (then they fail), as the root conftest
does for PostgreSQL and Redis. Debian package: dovecot-imapd (it pulls dovecot-core, /usr/sbin/dovecot);
DOVECOT_BINARY names another binary.
"""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from imapclient import IMAPClient

from complaintdesk.channels.email.poller import MailboxConfig

SAMPLES = Path(__file__).parent / "samples"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
DOVECOT_USER, DOVECOT_PASSWORD = "kefu", "kefu-secret"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def _service_missing(reason: str) -> None:
    # The root conftest's rule: a missing service skips, unless REQUIRE_SERVICES=1 says it must be there.
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                if conn.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    details = log.read_text(errors="replace") if log.exists() else ""
    process.kill()
    pytest.fail(f"dovecot did not start on 127.0.0.1:{port}:\n{details}")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Dovecot:
    port: int
    root: Path

    def config(self, folder: str) -> MailboxConfig:
        return MailboxConfig(host="127.0.0.1", port=self.port, user=DOVECOT_USER, password=DOVECOT_PASSWORD,
                             folder=folder, timeout=10)  # fmt: skip

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(DOVECOT_USER, DOVECOT_PASSWORD)
        return client


def _users() -> dict:
    """Who the instance's processes run as. As root, dovecot refuses root for logins and mail, so the
    Debian package's own accounts are used; otherwise everything runs as the current user."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.getuid())
        return {"internal": me.pw_name, "login": me.pw_name, "uid": me.pw_uid, "gid": me.pw_gid}
    try:
        internal, login = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
    except KeyError:
        internal = login = pwd.getpwnam("nobody")
    return {
        "internal": internal.pw_name,
        "login": login.pw_name,
        "uid": internal.pw_uid,
        "gid": internal.pw_gid,
    }


@pytest.fixture(scope="module")
def dovecot():
    """A dovecot of its own: config, sockets, logs and maildirs in a temporary directory, plaintext login
    on 127.0.0.1 and a free port, no TLS. Not in pytest's tmp_path: that tree is private to its owner
    (0700) and dovecot's mail processes may not run as root, so they could not reach it."""
    binary = os.environ.get("DOVECOT_BINARY") or shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).is_file():
        _service_missing("needs dovecot (Debian package dovecot-imapd)")
    users = _users()
    root = Path(tempfile.mkdtemp(prefix="cd-dovecot-"))
    if os.geteuid() == 0:
        os.chown(root, users["uid"], users["gid"])
    port = _free_port()
    (root / "passwd").write_text(f"{DOVECOT_USER}:{{PLAIN}}{DOVECOT_PASSWORD}\n")
    (root / "run").mkdir()
    conf = root / "dovecot.conf"
    conf.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {users["internal"]}
default_internal_group = {grp.getgrgid(users["gid"]).gr_name}
default_login_user = {users["login"]}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={users["uid"]} gid={users["gid"]} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""")
    process = subprocess.Popen(
        [binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait_for_port(port, process, root / "dovecot.log")
        yield Dovecot(port=port, root=root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Mailbox:
    dovecot: Dovecot
    folder: str

    @property
    def config(self) -> MailboxConfig:
        return self.dovecot.config(self.folder)

    def deliver(self, *raws: bytes) -> None:
        """Put mails in the folder with IMAP APPEND, unseen, as an MTA's delivery would leave them."""
        client = self.dovecot.client()
        try:
            for raw in raws:
                client.append(self.folder, raw)
        finally:
            client.logout()

    def flags(self, folder: str | None = None) -> list[set[bytes]]:
        client = self.dovecot.client()
        try:
            client.select_folder(folder or self.folder, readonly=True)
            messages = client.search(["ALL"])
            return [set(flags) - {b"\\Recent"} for _, flags in sorted(client.get_flags(messages).items())]
        finally:
            client.logout()


@pytest.fixture
def mailbox(dovecot):
    """A folder of its own in the shared dovecot, so that tests do not see each other's mails."""
    folder = f"T{uuid.uuid4().hex[:12]}"
    client = dovecot.client()
    try:
        client.create_folder(folder)
    finally:
        client.logout()
    return Mailbox(dovecot=dovecot, folder=folder)


class SmtpSink:
    """Keeps every message it is handed: (envelope sender, recipients, raw bytes)."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink(settings):
    """An aiosmtpd SMTP server on a free loopback port, with Django's SMTP backend pointed at it."""
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.NOTIFY_EMAIL_FROM = "ComplaintDesk <kefu@complaintdesk.example>"
    try:
        yield sink
    finally:
        controller.stop()
