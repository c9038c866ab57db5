"""Settings read from the environment. No logic beyond parsing lives here."""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("COMPLAINTDESK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/ (never committed)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

# --- Serving behind a reverse proxy over HTTPS (docs/deployment.md; `manage.py check --deploy` passes) ---
# Origins whose forms may post here besides the host itself, e.g. https://cs.example.com (comma-separated).
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# A form refused by the CSRF check gets the product's page (in the user's language, back to the portal for
# customers), not Django's.
CSRF_FAILURE_VIEW = "complaintdesk.web.views_errors.csrf_failure"
# SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto: a request is HTTPS when the proxy says so in that header. Only
# behind a proxy that always sets it (deploy/nginx overwrites it), else a client could claim HTTPS itself.
if _proxy_header := os.environ.get("SECURE_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
# HTTPS=1: the site is reached over HTTPS only. Cookies are then sent only over HTTPS, plain HTTP is
# redirected (except the probes below, which a load balancer asks over HTTP), and browsers are told to
# use HTTPS for SECURE_HSTS_SECONDS (HSTS; 0 turns it off).
HTTPS = os.environ.get("HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "0") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "0") == "1"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "axes",
    "complaintdesk.common",
    "complaintdesk.orgs",
    "complaintdesk.accounts",
    "complaintdesk.calendars",
    "complaintdesk.inbox",
    "complaintdesk.sla",
    "complaintdesk.complaints",
    "complaintdesk.channels",
    "complaintdesk.scripts",
    "complaintdesk.intelligence",
    "complaintdesk.escalation",
    "complaintdesk.solutions",
    "complaintdesk.dispatch",
    "complaintdesk.api",
    "complaintdesk.web",
    "complaintdesk.demo",
    "complaintdesk.tasks",
    "complaintdesk.notifications",
    "complaintdesk.portal",
    "complaintdesk.surveys",
    "complaintdesk.quality",
    "complaintdesk.archive",
    "complaintdesk.analytics",
    "complaintdesk.ops",
    "complaintdesk.regulation",
    "complaintdesk.privacy",
    "complaintdesk.learning",
    "complaintdesk.outreach",
]

MIDDLEWARE = [
    # First, so it times the whole request and every later log line carries the request id.
    "complaintdesk.ops.middleware.RequestObservation",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in refused for repeated failures into the answer of web/lockout.py.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "complaintdesk.web.context.header_counts",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'complaintdesk.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters travel apart from the statement text, and a statement a connection runs a fifth time is
    # prepared: PostgreSQL then skips parsing and planning it. Every intake runs the same dozen
    # statements; prepared, they cost PostgreSQL about a third less CPU (docs/performance.md). Needs
    # session-level connections (no PgBouncer in transaction mode in front).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=int(os.environ.get("DB_PREPARE_THRESHOLD", "5"))
    )
    # Connections are bounded per process: a psycopg pool of at most DB_POOL_MAX_SIZE (default 4, one
    # per gunicorn thread) that a request borrows and gives back when it ends, instead of one connection
    # per thread kept DB_CONN_MAX_AGE seconds. A gunicorn instance holds at most WEB_CONCURRENCY ×
    # DB_POOL_MAX_SIZE, the worker DB_POOL_MAX_SIZE (docs/deployment.md sizes max_connections from this).
    # Pooled connections keep their prepared statements between requests. A request that finds every
    # connection busy waits up to DB_POOL_TIMEOUT seconds. DB_POOL_MAX_SIZE=0 turns the pool off (behind
    # PgBouncer in session mode, say): then each thread keeps its own connection for DB_CONN_MAX_AGE.
    _pool_max = int(os.environ.get("DB_POOL_MAX_SIZE", "4"))
    if _pool_max > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django must not
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": min(int(os.environ.get("DB_POOL_MIN_SIZE", "1")), _pool_max),
            "max_size": _pool_max,
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
            # An idle connection above min_size is closed after this many seconds.
            "max_idle": float(os.environ.get("DB_POOL_MAX_IDLE", "120")),
            # psycopg_pool's own name for the pool in its log lines.
            "name": "complaintdesk",
        }
        # A connection that PostgreSQL closed (restart, idle timeout) is noticed when it is taken from the pool.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = os.environ.get("DB_CONN_HEALTH_CHECKS", "1") == "1"
    # The name each connection shows in pg_stat_activity (bin/run and deploy/ set one per kind of process).
    if os.environ.get("DB_APPLICATION_NAME"):
        DATABASES["default"]["OPTIONS"]["application_name"] = os.environ["DB_APPLICATION_NAME"]
# PostgreSQL: the role the application connects as (DATABASE_URL's user), which owns nothing. Set it where
# migrations run as the owner role (DATABASE_URL pointing at the owner for `migrate`): every migrate then
# grants this role row access only, no TRUNCATE, and no UPDATE/DELETE on the timeline (common.dbroles).
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker share the embedded database;
    # IMMEDIATE transactions take the write lock up front instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Complaint permissions come from the role table without a query (accounts/backends.py).
# django-axes first: it refuses a sign-in that is locked out before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "complaintdesk.accounts.backends.RolePermissionBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Sign-in lockout (django-axes, complaintdesk/web/lockout.py): after LOGIN_FAILURE_LIMIT failed sign-ins
# for one username from one address, that pair is refused until LOGIN_LOCKOUT_SECONDS after its last
# failure; a successful sign-in forgets the failures. Attempts are rows in axes' tables (admin: Axes).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(seconds=int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # trying while locked does not lengthen the lock
AXES_USERNAME_CALLABLE = "complaintdesk.web.lockout.login_username"
AXES_CLIENT_IP_CALLABLE = "complaintdesk.web.lockout.login_address"
AXES_LOCKOUT_CALLABLE = "complaintdesk.web.lockout.lockout_response"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
# Each language by its own name in every interface language (a language menu is read by someone
# looking for theirs): never translated, so the Chinese pages do not offer "英语".
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"  # never served as-is: attachments go out through access-checked endpoints

# Request bodies: a JSON body larger than this is refused (413) before it is parsed. Evidence files
# are multipart and limited on their own by ATTACHMENT_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 360}}
    # Workers must run jobs through django-tasks' Job class, which calls the Task object. Our RQ backend is
    # django_tasks_rq's with priorities (the acknowledgement of a new case goes to the front of the queue).
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    TASKS = {"default": {"BACKEND": "complaintdesk.tasks.backend.RQBackend", "QUEUES": ["default"]}}
    INSTALLED_APPS.append("django_rq")
else:
    # django_tasks_db's backend, each row written by one hand-written INSERT (complaintdesk/tasks/backend.py).
    TASKS = {"default": {"BACKEND": "complaintdesk.tasks.backend.DatabaseBackend", "QUEUES": ["default"]}}

# The cache holds rate-limit counters. Shared by every web process through Redis when there is one;
# otherwise each process keeps its own in memory (limits then apply per process).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "complaintdesk",
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "complaintdesk"}
    }
RATE_LIMIT_CACHE = "default"
# {scope: "attempts/seconds"} per client address. api-auth-failure: API requests without valid
# credentials; api-docs: the OpenAPI document and its page. Portal and WeChat add their scopes here.
RATE_LIMITS = {
    "api-auth-failure": os.environ.get("RATE_LIMIT_API_AUTH_FAILURE", "20/60"),
    "api-docs": os.environ.get("RATE_LIMIT_API_DOCS", "60/60"),
    # Customer portal (complaintdesk.portal): filing on the web form, asking for a one-time code (per
    # address, and per case number whatever the address), entering codes, acting on a verified case.
    "portal-file": os.environ.get("RATE_LIMIT_PORTAL_FILE", "20/3600"),
    "portal-code-request": os.environ.get("RATE_LIMIT_PORTAL_CODE_REQUEST", "10/600"),
    "portal-code-case": os.environ.get("RATE_LIMIT_PORTAL_CODE_CASE", "3/600"),
    "portal-code-verify": os.environ.get("RATE_LIMIT_PORTAL_CODE_VERIFY", "20/600"),
    "portal-action": os.environ.get("RATE_LIMIT_PORTAL_ACTION", "30/600"),
}
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use the peer address).
RATE_LIMIT_TRUSTED_PROXIES = int(os.environ.get("RATE_LIMIT_TRUSTED_PROXIES", "0"))
# The unit that complaints from customer-facing channels (web form, WeChat, email) go to; empty: the root.
INTAKE_DEFAULT_UNIT = os.environ.get("INTAKE_DEFAULT_UNIT", "")

# The region whose phone numbers are assumed when a number has no +country prefix.
PHONE_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION", "CN")
# Prefix of readable case numbers: TS20261123000123.
CASE_NUMBER_PREFIX = os.environ.get("CASE_NUMBER_PREFIX", "TS")
# The brand reply scripts speak for ({brand} placeholder).
BRAND_NAME = os.environ.get("BRAND_NAME", "ComplaintDesk")

# LOG_FORMAT=json: one JSON object per line with the request id, user and case number of the request the
# line was written in (complaintdesk/ops/logs.py). LOG_REQUESTS=1 (default with json): a line per request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOG_REQUESTS = os.environ.get("LOG_REQUESTS", "1" if LOG_FORMAT == "json" else "0") == "1"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "complaintdesk.ops.logs.RequestContextFilter"}},
    "formatters": {"json": {"()": "complaintdesk.ops.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Operations (complaintdesk.ops): /readyz and /metrics ---
# /metrics answers a request with `Authorization: Bearer <METRICS_TOKEN>` (the monitoring system) or from
# a signed-in staff user; nobody else. /readyz answers 503 with its reasons when a worker has not taken a
# job for READYZ_WORKER_MAX_AGE_SECONDS, more than READYZ_MAX_QUEUE_DEPTH jobs wait, or a live SLA timer is
# overdue by more than READYZ_MAX_TIMER_LAG_SECONDS (and when the database or Redis does not answer).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
READYZ_WORKER_MAX_AGE_SECONDS = int(os.environ.get("READYZ_WORKER_MAX_AGE_SECONDS", "120"))
READYZ_MAX_QUEUE_DEPTH = int(os.environ.get("READYZ_MAX_QUEUE_DEPTH", "1000"))
READYZ_MAX_TIMER_LAG_SECONDS = int(os.environ.get("READYZ_MAX_TIMER_LAG_SECONDS", "300"))

# --- Notifications (complaintdesk.notifications): outbound SMS, email and WeChat template messages ---
# Delivery attempts per message, and the back-off between them: base, 2×base, 4×base … capped.
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "5"))
NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", "60"))
NOTIFY_RETRY_MAX_SECONDS = int(os.environ.get("NOTIFY_RETRY_MAX_SECONDS", "3600"))
# The periodic sweep queues again a notification this long past due whose job the queue lost, and retries
# one left `sending` this long by a worker that stopped mid-attempt (it may then go out twice).
NOTIFY_SWEEP_GRACE_SECONDS = int(os.environ.get("NOTIFY_SWEEP_GRACE_SECONDS", "300"))
NOTIFY_SENDING_STALE_SECONDS = int(os.environ.get("NOTIFY_SENDING_STALE_SECONDS", "900"))
# SMS provider backend: the file outbox (VAR_DIR/outbox/sms.jsonl) for development, or
# complaintdesk.notifications.sms.backends.aliyun.AliyunSmsBackend with NOTIFY_ALIYUN_SMS below.
NOTIFY_SMS_BACKEND = os.environ.get(
    "NOTIFY_SMS_BACKEND", "complaintdesk.notifications.sms.backends.file.FileSmsBackend"
)
# The 【signature】 of every SMS (empty: BRAND_NAME); the longest SMS template allowed, in segments.
NOTIFY_SMS_SIGNATURE = os.environ.get("NOTIFY_SMS_SIGNATURE", "")
NOTIFY_SMS_MAX_SEGMENTS = int(os.environ.get("NOTIFY_SMS_MAX_SEGMENTS", "3"))
NOTIFY_ALIYUN_SMS = {
    "ACCESS_KEY_ID": os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", ""),
    "ACCESS_KEY_SECRET": os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", ""),
    "SIGN_NAME": os.environ.get("ALIYUN_SMS_SIGN_NAME", "") or NOTIFY_SMS_SIGNATURE or BRAND_NAME,
    "ENDPOINT": os.environ.get("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
    "REGION_ID": os.environ.get("ALIYUN_SMS_REGION_ID", "cn-hangzhou"),
    "TIMEOUT": float(os.environ.get("ALIYUN_SMS_TIMEOUT", "10")),
}
# The official account that sends template messages (the same one WeChat intake answers for).
NOTIFY_WECHAT = {
    "APP_ID": os.environ.get("WECHAT_APP_ID", ""),
    "APP_SECRET": os.environ.get("WECHAT_APP_SECRET", ""),
    "API_BASE_URL": os.environ.get("WECHAT_API_BASE_URL", "https://api.weixin.qq.com/cgi-bin/"),
    "TIMEOUT": float(os.environ.get("WECHAT_API_TIMEOUT", "10")),
}
# The WeChat official account's callback (channels.wechat, /channels/wechat/callback): the Token and
# EncodingAESKey set on the account's server configuration page, for the same APP_ID as above. With an
# EncodingAESKey (safe or compatible mode) only encrypted messages are taken and replies are encrypted.
# MAX_CLOCK_SKEW: seconds a request's timestamp may be off (0: not checked). APPEND_WINDOW_DAYS: a text
# from a customer with an open case opened within these days is added to that case, else a new one
# (0: any open case).
WECHAT_CALLBACK = {
    "TOKEN": os.environ.get("WECHAT_TOKEN", ""),
    "ENCODING_AES_KEY": os.environ.get("WECHAT_ENCODING_AES_KEY", ""),
    "APP_ID": NOTIFY_WECHAT["APP_ID"],
    "MAX_CLOCK_SKEW": int(os.environ.get("WECHAT_MAX_CLOCK_SKEW", "300")),
    "APPEND_WINDOW_DAYS": int(os.environ.get("WECHAT_APPEND_WINDOW_DAYS", "30")),
}
# Requests with a bad signature per address; messages per WeChat user (openid).
RATE_LIMITS["wechat-bad-signature"] = os.environ.get("RATE_LIMIT_WECHAT_BAD_SIGNATURE", "20/60")
RATE_LIMITS["wechat-openid"] = os.environ.get("RATE_LIMIT_WECHAT_OPENID", "30/60")
# Sender of notification emails (empty: DEFAULT_FROM_EMAIL).
NOTIFY_EMAIL_FROM = os.environ.get("NOTIFY_EMAIL_FROM", "")
# Every link in a message to a customer (SMS, e-mail, WeChat, portal) is absolute and starts with this, e.g.
# https://cs.example.com: the address customers' phones reach the portal and the survey pages at. Empty:
# STAFF_BASE_URL (below). NOTIFY_TRACK_URL ({case_number} filled in) and NOTIFY_SURVEY_URL ({token} filled in)
# replace the tracking and survey addresses; given as a path, they are put after PUBLIC_BASE_URL too.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
NOTIFY_TRACK_URL = os.environ.get("NOTIFY_TRACK_URL", "")
NOTIFY_SURVEY_URL = os.environ.get("NOTIFY_SURVEY_URL", "")

# --- SLA timers and escalation (issue 5) ---
# How often the worker's periodic sweep looks at the SLA timer rows (seconds): a warning or breach is
# handled at most this late. The sweep is a periodic job (complaintdesk/sla/tasks.py, tasks/periodic.py);
# the after-intake resend and the delivery retries run as often.
SLA_SWEEP_INTERVAL_SECONDS = int(os.environ.get("SLA_SWEEP_INTERVAL_SECONDS", "30"))
# After a commit that writes a timer already due, ask the worker for a sweep at once (and restart the
# periodic sweep if its chain has stopped). 0 turns both off: only the periodic sweep and sla_reconcile run.
SLA_TIMERS_WAKE = os.environ.get("SLA_TIMERS_WAKE", "1") == "1"
# The daily escalation digest to each level holder goes out at this local hour (a periodic job; bin/run's
# `manage.py periodic_start` starts every one).
ESCALATION_DIGEST_HOUR = int(os.environ.get("ESCALATION_DIGEST_HOUR", "8"))
# Links in staff notifications and e-mails start with this, e.g. https://cs.example.com (default: this
# machine, as `make run` serves it), so every link in a staff e-mail opens from a mail client.
STAFF_BASE_URL = os.environ.get("STAFF_BASE_URL", "") or f"http://localhost:{os.environ.get('PORT', '8000')}"

# --- Outgoing e-mail: SMTP when EMAIL_HOST is set, else each mail is a file under var/outbox/mail ---
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
    EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "outbox" / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "complaints@localhost")

# --- Customer portal (complaintdesk.portal): one-time codes and the access they grant ---
PORTAL_CODE_TTL_SECONDS = int(os.environ.get("PORTAL_CODE_TTL_SECONDS", "600"))
PORTAL_CODE_MAX_ATTEMPTS = int(os.environ.get("PORTAL_CODE_MAX_ATTEMPTS", "5"))
PORTAL_ACCESS_TTL_SECONDS = int(os.environ.get("PORTAL_ACCESS_TTL_SECONDS", "1800"))
# The provider's approved template for the code SMS (Aliyun TemplateCode, with ${code}); the file backend needs none.
PORTAL_CODE_SMS_TEMPLATE_ID = os.environ.get("PORTAL_CODE_SMS_TEMPLATE_ID", "")


# --- Email intake (complaintdesk.channels.email): the customer mailbox polled over IMAP ---
# IMAP_URL: imap://user:password@host:143/INBOX, imap://…?starttls=1, or imaps://user:password@host:993/INBOX
# (user and password percent-encoded: me%40example.com). Empty: no mail intake. Customers' replies must
# reach this mailbox: make NOTIFY_EMAIL_FROM its address.
def _imap_settings(url: str) -> dict:
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url:
        return {}
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return {
        "HOST": parts.hostname or "",
        "PORT": parts.port or (993 if parts.scheme == "imaps" else 143),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "FOLDER": unquote(parts.path.lstrip("/")) or "INBOX",
        "SSL": parts.scheme == "imaps",
        "STARTTLS": query.get("starttls", ["0"])[0] in {"1", "true", "yes"},
        "TIMEOUT": float(query.get("timeout", ["30"])[0]),
    }


IMAP = _imap_settings(os.environ.get("IMAP_URL", ""))
# How often the worker polls the mailbox (seconds); mails per pass; attempts before a mail that keeps
# failing is set aside; the largest mail taken in (bytes).
MAIL_POLL_INTERVAL_SECONDS = int(os.environ.get("MAIL_POLL_INTERVAL_SECONDS", "60"))
MAIL_POLL_BATCH = int(os.environ.get("MAIL_POLL_BATCH", "50"))
MAIL_POLL_MAX_ATTEMPTS = int(os.environ.get("MAIL_POLL_MAX_ATTEMPTS", "3"))
MAIL_MAX_BYTES = int(os.environ.get("MAIL_MAX_BYTES", str(30 * 1024 * 1024)))
# Where auto-replies, bounces and refused mails are moved (empty: they stay, flagged seen + a keyword).
IMAP_SET_ASIDE_FOLDER = os.environ.get("IMAP_SET_ASIDE_FOLDER", "")

# --- Result feedback, satisfaction survey and follow-up (complaintdesk.surveys) ---
# The survey link is NOTIFY_SURVEY_URL with {token} filled in (e.g. https://cs.example.com/s/{token}); without
# {token} it is taken as the public site's address and /s/<token> is appended; empty: a relative /s/<token>.
# Days a survey link stays valid. SURVEY_SEND_WITH_RESULT=0: no survey with the result (surveys.services.survey_send).
SURVEY_LINK_TTL_DAYS = int(os.environ.get("SURVEY_LINK_TTL_DAYS", "7"))
SURVEY_SEND_WITH_RESULT = os.environ.get("SURVEY_SEND_WITH_RESULT", "1") == "1"
# An answer of at most this many stars, or "not solved", is unhappy: "reopen" sends the case back to handling
# (reopens it when already resolved) with the customer's comment as the reason; "escalate" records it as an
# objection (有异议) and escalates.
SURVEY_LOW_STARS = int(os.environ.get("SURVEY_LOW_STARS", "2"))
SURVEY_UNHAPPY_ACTION = os.environ.get("SURVEY_UNHAPPY_ACTION", "reopen")
# Follow-up (回访): unanswered calls before the case is closed as "not reached". The due time is the SLA
# policy's `follow_up` (default 7d, calendar days), editable per unit and category in the admin.
FOLLOW_UP_MAX_NOT_REACHED = int(os.environ.get("FOLLOW_UP_MAX_NOT_REACHED", "3"))
# Requests to the public survey pages per client address.
RATE_LIMITS["survey"] = os.environ.get("RATE_LIMIT_SURVEY", "30/600")
