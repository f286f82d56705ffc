"""Settings, read from the environment (django-environ).

With nothing set, Outreach runs embedded: SQLite and a file-system Celery broker under
``var/``, a secret key generated once into ``var/``. Production sets ``DATABASE_URL``,
``REDIS_URL``, ``SECRET_KEY`` and ``ALLOWED_HOSTS``. Every setting is listed in docs/operations.md.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from outreach import media_storage
from outreach.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("OUTREACH_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

#: Embedded mode: no database configured, so everything lives under var/.
EMBEDDED = not env.str("DATABASE_URL", default="")


def _embedded_secret_key() -> str:
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
#: Off unless asked for, embedded too: ``make run`` is a demo, not a debugger, so it shows the
#: console's own error pages and serves static files through whitenoise as production does.
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular", "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "outreach",
    "contacts",
    "messaging",
    "messaging.providers.bluebubbles",  # its console templates and connect_bluebubbles
    "campaigns",
    "webhooks",
    "inbox",
]

MIDDLEWARE = [
    "outreach.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sees every answer of the layers below: under /api/, an error is JSON whoever gave it.
    "outreach.middleware.ApiJsonErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "outreach.middleware.CurrentAccountMiddleware",
    "outreach.timezones.ViewerTimeZoneMiddleware",  # console times in the viewer's zone
    "outreach.middleware.RoleMiddleware",  # the console's role table (outreach.roles)
    "outreach.logs.LogContextMiddleware",
    "outreach.middleware.RateLimitHeadersMiddleware",
    "outreach.middleware.ApiBodyLimitMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

#: Content-Security-Policy of every page (django-csp; docs/security.md). The console runs
#: only its own static scripts and styles: no inline script, handler or style attribute.
#: The API documentation pages widen it for themselves (outreach.urls).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}

ROOT_URLCONF = "outreach.urls"
WSGI_APPLICATION = "outreach.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "outreach.context_processors.console",
            ],
        },
    },
]

if EMBEDDED:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "outreach.sqlite3",
            # Web and worker share the file: wait for locks instead of failing, and
            # take the write lock up front so two writers never deadlock on upgrade.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
else:
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    #: PgBouncer in transaction mode sits between the app and PostgreSQL: a connection is
    #: ours for one transaction only, so no server-side cursors (``.iterator()`` outside a
    #: transaction declares one WITH HOLD, which outlives it) and no prepared statements
    #: (Django binds parameters client-side, so none are made unless someone turns on
    #: ``server_side_binding``). The code keeps no other session state (docs/deploy.md).
    if env.bool("DATABASE_TRANSACTION_POOLING", default=False):
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "outreach.redis_cache.RedisCache",  # one client per pool (see the module)
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="outreach"),
        }
    }
else:
    # Embedded mode: web and worker are separate processes sharing leases, poll locks and
    # rate-limit counters, so the cache is in the database (``cache.add`` is one INSERT: one
    # process wins a lease), never culled early; ``make run`` makes its table.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "outreach_cache",
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "outreach.login_throttle.LoginThrottleBackend",  # django-axes: refuses locked-out logins
    "django.contrib.auth.backends.ModelBackend",
]
#: Login throttling (django-axes, docs/security.md): this many failed logins for one
#: username, or from one client address, lock it out for AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "outreach.login_throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "outreach.login_throttle.client_ip"
#: Reverse proxies in front of the app that append to X-Forwarded-For (0: none, the
#: client's address is REMOTE_ADDR). Login throttling reads the client address with it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
#: ``collectstatic`` (run by ``make run`` and every deploy) writes each file under a name with
#: its content hash plus gzip copies; whitenoise serves those compressed with ten-year,
#: immutable caching (docs/performance.md). The suite uses plain storage (no collectstatic).
#: Media: this host's disk or an S3-compatible bucket (MEDIA_STORAGE; outreach/media_storage.py).
STORAGES = media_storage.storages(env)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

if not DEBUG:
    # Embedded mode serves plain http on 127.0.0.1: secure cookies would never come back.
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not EMBEDDED)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

#: ``text`` (plain lines) or ``json`` (one JSON object per line with account, message,
#: line and task id when known: outreach/logs.py). Both scrub secrets.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
#: One ``request`` event per HTTP request (method, path, status, duration, account): the
#: access log of JSON deployments.
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=LOG_FORMAT == "json")
LOGGING = logging_config(LOG_FORMAT, env.str("LOG_LEVEL", default="INFO"))

# --- Celery -------------------------------------------------------------------------
if REDIS_URL or env.str("CELERY_BROKER_URL", default=""):
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
else:
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "queue").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="outreach")
#: The interactive lane: wake-ups for single sends (API, console), consumed by a worker of
#: its own so a send never waits behind the campaign chunks the other workers are busy with.
CELERY_INTERACTIVE_QUEUE = env.str("CELERY_INTERACTIVE_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}.interactive")
CELERY_TASK_ROUTES = {"messaging.tasks.dispatch_interactive": {"queue": CELERY_INTERACTIVE_QUEUE}}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
#: Celery keeps Django's logging (and so LOG_FORMAT) instead of installing its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
#: Periodic work. Each app adds its own entries in its AppConfig.ready().
CELERY_BEAT_SCHEDULE: dict = {}

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["outreach.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["outreach.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["outreach.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "outreach.api.pagination.PagePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["outreach.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "outreach.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "PAGE_SIZE": 25,
}
#: Requests per minute allowed to one API key (a key can carry its own limit).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=600)
#: Largest page a client may ask for with per_page / limit.
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=100)
#: Largest request body an API endpoint reads (bytes); more is a 413 before it is read.
#: Endpoints with a documented larger limit (bulk jobs) declare their own ``max_body_bytes``.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
#: Largest body of ``POST /api/v1/messages/bulk`` (bytes): 100,000 messages of about 150
#: characters each. Parsing and checking a job costs the web worker about 20 times its size
#: in memory, so a job of longer messages is split into several.
API_BULK_MAX_BYTES = env.int("API_BULK_MAX_BYTES", default=16 * 1024 * 1024)
#: Deepest nesting of arrays/objects a JSON body may have (more is a 400).
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)
#: Who may read ``/metrics`` (outreach/metrics.py): a caller sending
#: ``Authorization: Bearer <METRICS_TOKEN>``, or one whose address is in
#: METRICS_ALLOWED_NETWORKS (CIDRs; behind a proxy every caller has the proxy's address: use
#: the token). Neither set: /metrics is a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
#: A worker host's own metrics endpoint (tasks by outcome and duration; 0: none), served by
#: each worker's main process without a token: bind it where only Prometheus reaches.
METRICS_WORKER_PORT = env.int("METRICS_WORKER_PORT", default=0)
METRICS_WORKER_ADDRESS = env.str("METRICS_WORKER_ADDRESS", default="127.0.0.1")
#: Seconds sent in ``Retry-After`` with a 503 while PostgreSQL or Redis is unreachable.
FAULT_RETRY_AFTER_SECONDS = env.int("FAULT_RETRY_AFTER_SECONDS", default=10)

SPECTACULAR_SETTINGS = {
    "TITLE": "Outreach API",
    "DESCRIPTION": (
        "Two wire dialects over one set of models: the Sendblue/Arnio dialect "
        "(`/api/send-message`, `/api/v2/messages`, ...) and the v1 dialect "
        "(`/api/v1/contacts`, `/api/v1/messages`, ...). Authenticate with `X-API-Key`, "
        "`Authorization: Bearer`, or the `sb-api-key-id` + `sb-api-secret-key` pair.\n\n"
        "Every key has a dialect. A `sendblue` key (the default) gets Sendblue's status words "
        "(REGISTERED, PENDING, QUEUED, ACCEPTED, SENT, DELIVERED, READ, DECLINED, ERROR, RECEIVED). "
        "An `arnio` key gets Arnio's five (QUEUED, SENT, DELIVERED, READ, FAILED) in its responses "
        "and its messages' status callbacks; a callback is sent only when the Arnio word changes. "
        "Arnio's own paths, `POST /send-message` and `POST /send-group-message`, are Arnio "
        "whatever the key. Account webhook endpoints always get the Sendblue words."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "ENUM_NAME_OVERRIDES": {
        "MessageStatusEnum": "messaging.choices.Status",
        "MessageServiceEnum": "messaging.choices.Service",
        "V1MessageStatusEnum": "messaging.api.serializers.V1_STATUS_WORDS",
        "ArnioStatusEnum": "messaging.payloads.ARNIO_WORDS",
        "CampaignStatusEnum": "campaigns.choices.CampaignStatus",
        "WinnerMetricEnum": "campaigns.choices.WinnerMetric",
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# --- Product settings ---------------------------------------------------------------
#: Region used to read phone numbers typed without a country code.
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="US")
#: Seconds between the sandbox carrier's steps (sent, delivered, read, replies).
SANDBOX_DELAY_SECONDS = env.float("SANDBOX_DELAY_SECONDS", default=2.0 if EMBEDDED else 0.0)
#: Seconds the sandbox network takes to accept one send (simulated round trip).
SANDBOX_SEND_SECONDS = env.float("SANDBOX_SEND_SECONDS", default=0.0)
#: Sends of a message before it becomes a dead letter (ERROR, error_code 10001).
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=5)
#: Retry backoff: base * 2**(attempt-1) seconds, at most MESSAGE_RETRY_MAX_SECONDS.
MESSAGE_RETRY_BASE_SECONDS = env.float("MESSAGE_RETRY_BASE_SECONDS", default=15.0)
MESSAGE_RETRY_MAX_SECONDS = env.float("MESSAGE_RETRY_MAX_SECONDS", default=3600.0)
#: The soonest a send may be scheduled (``send_at``/``sendAt``), in seconds from now.
SCHEDULED_SEND_MIN_SECONDS = env.float("SCHEDULED_SEND_MIN_SECONDS", default=60.0)
#: Messages one dispatcher task claims at a time.
DISPATCH_BATCH_SIZE = env.int("DISPATCH_BATCH_SIZE", default=500)
#: Chunk size of the interactive lane, which only claims priority >= 0 (single sends).
DISPATCH_INTERACTIVE_BATCH_SIZE = env.int("DISPATCH_INTERACTIVE_BATCH_SIZE", default=20)
#: A campaign or bulk job of ``FANOUT_SLICE_MIN`` recipients or more fans out in this many
#: slices side by side (one task each): as many as the worker processes that should share it.
FANOUT_SLICES = env.int("FANOUT_SLICES", default=2)
FANOUT_SLICE_MIN = env.int("FANOUT_SLICE_MIN", default=20_000)
#: Recipients a fan-out chunk queues in one transaction.
FANOUT_CHUNK = env.int("FANOUT_CHUNK", default=5000)
#: While a single send waits for the interactive lane, a bulk chunk waits this long at most
#: before its claim (messaging/queue/foreground.py); 0 turns the hold-back off.
DISPATCH_BULK_YIELD_SECONDS = env.float("DISPATCH_BULK_YIELD_SECONDS", default=0.25)
#: The chunk a bulk task claims while single sends were seen in the last 5 s (shorter steps
#: between which to hold back).
DISPATCH_YIELDING_BATCH_SIZE = env.int("DISPATCH_YIELDING_BATCH_SIZE", default=50)
#: A claim (ACCEPTED) holds this long; its live worker renews it every third of it, so a
#: claim whose lease ran out is a dead worker's: no longer in flight for the line's limits,
#: and re-queued by the next reconcile.
DISPATCH_CLAIM_LEASE_SECONDS = env.float("DISPATCH_CLAIM_LEASE_SECONDS", default=6.0)
#: Days an address's known service (iMessage or SMS, per account and provider) is trusted
#: before the network is asked again (phones change hands).
HANDLE_FRESH_DAYS = env.int("HANDLE_FRESH_DAYS", default=7)
#: How often beat runs the reconciler (re-wakes due work, returns stale claims).
DISPATCH_RECONCILE_SECONDS = env.float("DISPATCH_RECONCILE_SECONDS", default=10.0)
#: Allow server-side requests (webhooks, status callbacks, media copies) to loopback and
#: private addresses (development and tests only; outreach/net.py). WEBHOOKS_ALLOW_PRIVATE_TARGETS
#: is its older name and still read; turning either off refuses private targets.
OUTBOUND_ALLOW_PRIVATE_TARGETS = env.bool(
    "OUTBOUND_ALLOW_PRIVATE_TARGETS", default=env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=EMBEDDED)
)
WEBHOOKS_ALLOW_PRIVATE_TARGETS = OUTBOUND_ALLOW_PRIVATE_TARGETS
#: Networks (CIDR) server-side requests may reach even though they are not public, e.g. an
#: internal webhook receiver: "10.0.5.0/24,fd12::/64".
OUTBOUND_ALLOWED_NETWORKS = env.list("OUTBOUND_ALLOWED_NETWORKS", default=[])
#: Seconds a webhook POST may take before it counts as a failed attempt.
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=10.0)
#: Seconds to wait before each attempt of a webhook delivery (the first is at once).
WEBHOOKS_RETRY_SCHEDULE = [
    int(s) for s in env.list("WEBHOOKS_RETRY_SCHEDULE", default=["0", "5", "300", "1800", "7200", "18000", "36000", "36000"])
]
#: An endpoint failing this many hours without one success is disabled.
WEBHOOKS_DISABLE_AFTER_HOURS = env.float("WEBHOOKS_DISABLE_AFTER_HOURS", default=120.0)
#: Hours a rotated-out secret keeps signing alongside the new one.
WEBHOOKS_SECRET_GRACE_HOURS = env.float("WEBHOOKS_SECRET_GRACE_HOURS", default=24.0)
#: Deliveries to one endpoint that may be in flight at once (across all workers).
WEBHOOKS_ENDPOINT_CONCURRENCY = env.int("WEBHOOKS_ENDPOINT_CONCURRENCY", default=2)
#: Days webhook events and their delivery logs are kept (pending ones are never purged), for
#: an account that sets no retention of its own (outreach/retention.py).
WEBHOOKS_RETENTION_DAYS = env.int("WEBHOOKS_RETENTION_DAYS", default=30)
#: Data retention (outreach/retention.py): rows one purger handles per statement, batches
#: per purger and account in one run (more left: the task queues itself again), and how
#: often beat starts a run.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=1000)
RETENTION_MAX_BATCHES_PER_RUN = env.int("RETENTION_MAX_BATCHES_PER_RUN", default=20)
RETENTION_SWEEP_SECONDS = env.float("RETENTION_SWEEP_SECONDS", default=3600.0)
#: How often beat runs the dashboard's rollups (messaging/services/rollups.py): the
#: dashboard's figures lag by about this much.
DASHBOARD_ROLLUP_SECONDS = env.float("DASHBOARD_ROLLUP_SECONDS", default=30.0)
#: The event stream (GET /api/v2/events, webhooks/stream.py): poll, heartbeat and rotation
#: seconds, how long a missing id is waited for, and the streams one process may serve.
STREAM_POLL_SECONDS = env.float("STREAM_POLL_SECONDS", default=1.0)
STREAM_HEARTBEAT_SECONDS = env.float("STREAM_HEARTBEAT_SECONDS", default=15.0)
STREAM_MAX_SECONDS = env.float("STREAM_MAX_SECONDS", default=900.0)
STREAM_GAP_WAIT_SECONDS = env.float("STREAM_GAP_WAIT_SECONDS", default=10.0)
STREAM_MAX_PER_PROCESS = env.int("STREAM_MAX_PER_PROCESS", default=4)
#: Public base URL of this server, used in links sent out (media, webhooks).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
#: Where `seed_demo` keeps the demo login so `make run` can print it again.
DEMO_LOGIN_FILE = Path(env.str("DEMO_LOGIN_FILE", default=str(VAR_DIR / "demo_login.txt")))

#: Outgoing email (invitations, password resets). The console backend prints them, which is
#: what `make run` wants; production sets EMAIL_BACKEND to
#: django.core.mail.backends.smtp.EmailBackend and the SMTP settings (docs/operations.md).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Outreach <outreach@localhost>")
#: Days an invitation's link stays valid.
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)
#: Seconds a password reset link stays valid (Django's own setting; 1 day here).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=86400)
