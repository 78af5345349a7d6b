"""All settings, read from the environment in one place.

Development and the demo run with no environment at all: secrets are generated
into the ignored ``var/`` folder and the database is SQLite there. Production
sets ``NORTHSTAR_ENV=production`` and must then provide every secret and host.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

from northstar import local_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NORTHSTAR_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = env("NORTHSTAR_ENV", "development") == "production"
#: Only when asked for in so many words (`make run` does): a server with no
#: NORTHSTAR_ENV set must not show tracebacks and settings to the world.
DEBUG = envbool("NORTHSTAR_DEBUG", False) and not PRODUCTION

# --- Secrets -----------------------------------------------------------------
if PRODUCTION:
    _local = {}
else:
    _local = local_secrets.load_or_create(VAR_DIR)

SECRET_KEY = env("DJANGO_SECRET_KEY") or _local.get("secret_key")


def _field_keys() -> list[tuple[str, str]]:
    """Field-encryption key ring, newest (primary) first: ``id:base64key,...``."""
    raw = env("NORTHSTAR_FIELD_KEYS")
    if raw:
        ring = []
        for item in raw.split(","):
            kid, _, key = item.strip().partition(":")
            if not kid or not key:
                raise ImproperlyConfigured("NORTHSTAR_FIELD_KEYS must be 'id:base64key,…'")
            ring.append((kid, key))
        return ring
    return [(k["id"], k["key"]) for k in _local.get("field_keys", [])]


NORTHSTAR_FIELD_KEYS = _field_keys()
NORTHSTAR_FIELD_KEYS_FROM_ENV = bool(env("NORTHSTAR_FIELD_KEYS"))
NORTHSTAR_BLIND_INDEX_KEY = env("NORTHSTAR_BLIND_INDEX_KEY") or _local.get("blind_index_key")

if PRODUCTION and not (SECRET_KEY and NORTHSTAR_FIELD_KEYS and NORTHSTAR_BLIND_INDEX_KEY):
    raise ImproperlyConfigured(
        "Production needs DJANGO_SECRET_KEY, NORTHSTAR_FIELD_KEYS and NORTHSTAR_BLIND_INDEX_KEY"
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# --- Applications ------------------------------------------------------------
INSTALLED_APPS = [
    # The Django admin, for platform operators (superusers) only.
    "northstar.core.admin_site.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # its Swagger assets are served from here, not from a CDN (CSP: own origin only)
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Northstar, from the bottom layer up (imports point down, never up).
    "northstar.core",
    "northstar.survivors",
    "northstar.screening",
    "northstar.pathways",
    "northstar.safeguards",
    "northstar.compensation",
    "northstar.referrals",
    "northstar.justice",
    "northstar.portal",
    "northstar.documents",
    "northstar.organisation",
    "northstar.outcomes",
    "northstar.engagement",
    "northstar.intelligence",
    "northstar.insights",
    "northstar.web",
]

#: The session, its user, the second factor and messages are Django's and django-otp's
#: middlewares, each skipped by an API request carrying a bearer token: it has no session,
#: and its token alone says who it is (``core.middleware.is_bearer_api_request``, issue 13).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A body larger than any upload may be is refused before anything reads it.
    "northstar.core.edge.BodySizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "northstar.core.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "northstar.core.middleware.AuthenticationMiddleware",
    "northstar.core.middleware.OTPMiddleware",
    # Before any view or sign-in throttle touches a value: a NUL or a date in year 1
    # is a 422 naming the field, not a 500.
    "northstar.core.edge.BadInputMiddleware",
    "northstar.core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "northstar.core.middleware.CSPMiddleware",  # django-csp's, its policy built once
    "northstar.core.middleware.SecurityHeadersMiddleware",
    "northstar.core.signin.TwoFactorMiddleware",
    "northstar.core.middleware.ActorMiddleware",
    "northstar.core.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: it turns a flagged lockout into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "northstar.urls"
WSGI_APPLICATION = "northstar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "northstar.web.context.navigation",
                "northstar.core.db.figures_context",
            ],
            # ``{% url %}`` and ``{% translate %}`` as Django writes them, the same answer
            # not worked out again on every tag (``northstar.core.template_tags``).
            "builtins": ["northstar.core.template_tags"],
            "libraries": {"i18n": "northstar.core.template_i18n"},
        },
    }
]

# The common widgets written in Python, as their templates would write them (issue 13: the
# widget templates were a tenth of the case page's CPU); ``northstar.core.widgets``.
FORM_RENDERER = "northstar.core.widgets.WidgetRenderer"

# --- Database ----------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'northstar.sqlite3'}",
        # Persistent connections in production (a new PostgreSQL connection per request
        # cost half the detail endpoint's time, issue 13); checked before reuse, so a
        # restarted or failed-over server costs one retry, not an error. Development and
        # the tests keep 0 (SQLite, and test databases dropped while a connection is open).
        conn_max_age=envint("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: wait for a busy writer instead of failing, and take the
    # write lock when a transaction starts so two writers never deadlock into a 500.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env(
        "NORTHSTAR_PG_JIT", "off") == "off":
    # PostgreSQL's JIT compiles any query the planner costs high before running it; for
    # these short queries the compiling costs more than it saves (the compensation figures
    # at 100,000 survivors: 6.5 s with it, 2.7 s without; issue 13, bench/README.md).
    # NORTHSTAR_PG_JIT=on keeps the server's own setting.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
        "NORTHSTAR_PG_SERVER_SIDE_BINDING", True):
    # Let PostgreSQL keep its plans (issue 13, bench/README.md "h-binding"): Django's default
    # binds parameters on the client, so the server parses and plans every statement of every
    # request again (the token lookup's and the audit INSERT's planning were a third of a
    # create's backend CPU). With server-side binding psycopg sends the parameters apart and,
    # once a statement has run NORTHSTAR_PG_PREPARE_THRESHOLD times on a connection, prepares
    # it there, so a kept connection (DB_CONN_MAX_AGE) reuses the parse and plan.
    # Behind a pooler in *transaction* mode (pgbouncer before 1.21, or without
    # max_prepared_statements) a prepared statement may be missing on the next server
    # connection: set NORTHSTAR_PG_SERVER_SIDE_BINDING=off there (docs/deploy.md).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["server_side_binding"] = True
    # Django turns psycopg's preparing off unless asked; 0 would prepare every statement at
    # its first run (one more round trip for statements that never come back).
    _options["prepare_threshold"] = envint("NORTHSTAR_PG_PREPARE_THRESHOLD", 2)
# Two roles on PostgreSQL (docs/operations.md): DATABASE_URL is the runtime role,
# which owns nothing and may only append to the audit log; DATABASE_MIGRATE_URL is
# the owner role that `manage.py migrate` (and `db_roles`, `backup`) connect as.
NORTHSTAR_MIGRATE_DATABASE = (
    dj_database_url.parse(env("DATABASE_MIGRATE_URL")) if env("DATABASE_MIGRATE_URL") else None
)
if env("NORTHSTAR_TEST_DB_NAME"):
    # Lets several suites share one PostgreSQL server without clobbering each other.
    DATABASES["default"]["TEST"] = {"NAME": env("NORTHSTAR_TEST_DB_NAME")}
# A streaming read replica for the figures (docs/deploy.md, northstar/core/db.py): empty by
# default, so everything reads the primary. When set, the figure readers (inside
# `core.db.reading_figures()`) read the record apps there; every write, the audit entry of
# the figure read, and every read that decides access stay on the primary.
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # The test run has no replica server: the alias points at the test primary.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
NORTHSTAR_FIGURES_DATABASE = "replica" if "replica" in DATABASES else "default"
#: A replica further behind than this (seconds), or not answering, is passed over.
NORTHSTAR_REPLICA_MAX_LAG_SECONDS = envint("NORTHSTAR_REPLICA_MAX_LAG_SECONDS", 300)
DATABASE_ROUTERS = ["northstar.core.db.FiguresRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth and sessions -------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": max(10, envint("NORTHSTAR_PASSWORD_MIN_LENGTH", 12))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes watches every authenticate() call first; then the ordinary model backend.
AUTHENTICATION_BACKENDS = [
    "northstar.core.signin.SignInThrottleBackend",
    # Django's ModelBackend, the signed-in user read with membership and organisation in
    # one prepared query (``northstar.core.accounts``).
    "northstar.core.accounts.StaffBackend",
    # Sessions signed in before StaffBackend name this one: kept so they stay valid (a
    # session is read back through the backend it names). Never reached to sign in.
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "caseload"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
#: Sessions live in the database (Django's database engine, its read written once per
#: process: ``northstar.core.sessions``; said here so nobody moves them into process
#: memory): any application instance serves any signed-in request.
SESSION_ENGINE = "northstar.core.sessions"

# --- Sign-in throttling, two-factor, API tokens (issue 12, section 2) ---------
#: How many reverse proxies of ours stand in front of the application. 0 (the
#: default) ignores X-Forwarded-For entirely: anyone can write that header. With
#: N, the N-th address from the right of X-Forwarded-For is the client's.
NORTHSTAR_TRUSTED_PROXY_COUNT = envint(
    "NORTHSTAR_TRUSTED_PROXY_COUNT",
    # The older, portal-only switch meant exactly one proxy.
    1 if envbool("NORTHSTAR_PORTAL_TRUST_X_FORWARDED_FOR", False) else 0,
)
# django-axes: wrong passwords on /login/, /admin/login/ and POST /api/v1/auth/token
# lock the account *and* the address (either reaching the limit) for a while.
AXES_FAILURE_LIMIT = envint("NORTHSTAR_SIGNIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("NORTHSTAR_SIGNIN_LOCK_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "northstar.core.signin.client_address"
AXES_LOCKOUT_CALLABLE = "northstar.core.signin.lockout_response"
AXES_USERNAME_CALLABLE = "northstar.core.signin.username_of"
AXES_VERBOSE = False
#: Two-factor (TOTP, django-otp) for supervisors, org admins, platform operators and
#: everyone in an organisation that turns it on. Only development may switch it off
#: (NORTHSTAR_DEV_WITHOUT_TWO_FACTOR=1 with NORTHSTAR_DEBUG=1); production cannot.
NORTHSTAR_REQUIRE_TWO_FACTOR = not (DEBUG and envbool("NORTHSTAR_DEV_WITHOUT_TWO_FACTOR", False))
OTP_TOTP_ISSUER = "Northstar"
#: API tokens expire this many days after they are issued.
NORTHSTAR_TOKEN_DAYS = envint("NORTHSTAR_TOKEN_DAYS", 30)
#: A read's audit entry, written in a transaction of its own on PostgreSQL, commits without
#: waiting for its WAL flush unless this is set (``core.audit.durable_commit`` says what a
#: crash could lose: the reads of the last moment, never a write, never a gap in the chain).
NORTHSTAR_AUDIT_READS_DURABLE = envbool("NORTHSTAR_AUDIT_READS_DURABLE", False)
#: A list's count stops here (``core.keyset``): above it the list answers the cap with
#: ``count_is_exact: false`` ("1,000+"); ``exact_count=true`` still counts every row.
#: The capped count reads at most this many + 1 index entries, whatever the organisation.
NORTHSTAR_LIST_COUNT_CAP = max(1, envint("NORTHSTAR_LIST_COUNT_CAP", 1_000))
#: A page by number is positioned from the list's anchor, the ordering values of every
#: this-many-th row kept in the cache (``core.anchors``): a deep page reads at most this
#: many + a page of index entries, not every row before it. 0: plain OFFSET paging.
NORTHSTAR_PAGE_ANCHOR_EVERY = max(0, envint("NORTHSTAR_PAGE_ANCHOR_EVERY", 1_000))

#: The audit's own statements are kept prepared on each PostgreSQL connection
#: (``core.audit.statement_cursor``); turn off behind a pooler that cannot carry prepared
#: statements (PgBouncer before 1.21, or without ``max_prepared_statements``, in transaction mode).
NORTHSTAR_AUDIT_PREPARED = envbool("NORTHSTAR_AUDIT_PREPARED", True)

# --- Security (all on in production; `manage.py check --deploy` passes) -----
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin: Django checks the Referer of HTTPS form posts (CSRF); other sites get nothing.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
#: HTTPS-only cookies, redirects and HSTS: on in production, on request elsewhere (a
#: development server and the test suite speak plain HTTP to localhost).
HTTPS_ONLY = envbool("NORTHSTAR_HTTPS_ONLY", PRODUCTION)
if HTTPS_ONLY:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): this site's own origin only, no inline script
# or style. Images may also be data: URIs (the Swagger page's icons are).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
#: Nothing here needs a camera, microphone, location or payment; say so to the browser.
NORTHSTAR_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), bluetooth=(), "
    "serial=(), hid=(), magnetometer=(), gyroscope=(), accelerometer=(), "
    "display-capture=(), interest-cohort=()"
)

# Bodies larger than this answer 413 before anything is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("NORTHSTAR_MAX_BODY_BYTES", 1024 * 1024)
#: The largest document (scan, report) that may be attached; a file over it is 413 naming
#: the field, and a request body over it (plus room for the form) is 413 at the edge
#: before it is read (``core.edge.BodySizeMiddleware``).
NORTHSTAR_DOCUMENT_MAX_BYTES = envint("NORTHSTAR_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)

# --- Languages -----------------------------------------------------------------
# Django ships no locale data for Filipino and Lao; add the names it needs.
LANG_INFO.setdefault(
    "fil", {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"}
)
LANG_INFO.setdefault("lo", {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"})

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("km", "ភាសាខ្មែរ"),
    ("th", "ไทย"),
    ("vi", "Tiếng Việt"),
    ("my", "မြန်မာ"),
    ("fil", "Filipino"),
    ("id", "Bahasa Indonesia"),
    ("lo", "ລາວ"),
    ("zh-hant", "繁體中文"),
]
LOCALE_PATHS = [BASE_DIR / "northstar" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Asia/Bangkok")

# --- Static files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders in dev
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}

# --- Logging: never log request bodies (they carry personal data) ------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# --- Survivor portal -------------------------------------------------------------
#: Where quick exit sends a survivor: somewhere harmless and ordinary.
NORTHSTAR_PORTAL_EXIT_URL = env("NORTHSTAR_PORTAL_EXIT_URL", "https://www.google.com/search?q=weather")
NORTHSTAR_PORTAL_IDLE_SECONDS = envint("NORTHSTAR_PORTAL_IDLE_SECONDS", 15 * 60)

# --- Several instances: the cache and the job runner (issue 13, docs/deploy.md) -----
#: Redis (e.g. redis://127.0.0.1:6379/0) shared by every application instance and worker:
#: the cache (the API's address throttles count there) and the job queue. Unset, a
#: single instance needs nothing: a per-process cache and jobs run in the request.
NORTHSTAR_REDIS_URL = env("NORTHSTAR_REDIS_URL") or None
if NORTHSTAR_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": NORTHSTAR_REDIS_URL,
            "KEY_PREFIX": env("NORTHSTAR_CACHE_PREFIX", "northstar"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
#: How jobs run: "celery" (a queue and workers; needs NORTHSTAR_REDIS_URL) or "inline"
#: (in the process that submits them, once its transaction commits).
NORTHSTAR_JOBS_RUNNER = env("NORTHSTAR_JOBS_RUNNER", "celery" if NORTHSTAR_REDIS_URL else "inline")
#: The Celery queue Northstar's jobs go to (one per deployment sharing a Redis).
NORTHSTAR_JOBS_QUEUE = env("NORTHSTAR_JOBS_QUEUE", "northstar")
#: A job failing with ``jobs.Retryable`` is tried this many times in all, waiting
#: base × 2^(attempt-1) seconds (capped at 10 minutes) between tries.
NORTHSTAR_JOBS_MAX_ATTEMPTS = envint("NORTHSTAR_JOBS_MAX_ATTEMPTS", 4)
NORTHSTAR_JOBS_RETRY_BASE_SECONDS = envint("NORTHSTAR_JOBS_RETRY_BASE_SECONDS", 30)
#: Days an insights PDF report stays downloadable after it was prepared; the daily pruning
#: (``portal.prune_attempts`` → ``jobs.prune_files``) then removes the file, audited.
NORTHSTAR_REPORT_KEEP_DAYS = envint("NORTHSTAR_REPORT_KEEP_DAYS", 30)
CELERY_BROKER_URL = NORTHSTAR_REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = NORTHSTAR_JOBS_QUEUE
#: Acknowledge after the job ran: a worker killed mid-job leaves the message to another
#: worker, and the conditional claim in ``jobs.run`` keeps a second delivery from running.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # results live on the Job row, not in Redis
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

NINJA_PAGINATION_PER_PAGE = 25
NINJA_PAGINATION_MAX_LIMIT = 200

# The name search index (survivors.NameToken) covers (organisation, digest) and carries the
# survivor and weight as INCLUDE columns for index-only scans on PostgreSQL; SQLite simply
# builds the index without them, which is all its warning says.
# templates.W003 says a library label names two modules: ``i18n`` is Django's and, in
# TEMPLATES' "libraries", ``northstar.core.template_i18n`` on purpose (the same tags, the
# literal translations kept; ``northstar.core.template_tags``). No other label is reused.
SILENCED_SYSTEM_CHECKS = ["models.W040", "templates.W003"]

# --- Anonymous intelligence (issue 16 §2, docs/intelligence.md) ----------------------------
#: Code of the organisation that receives anonymous reports when the sender chooses none
#: (the platform's intake organisation); empty: the sender chooses among those that receive.
NORTHSTAR_INTELLIGENCE_INTAKE_ORG = env("NORTHSTAR_INTELLIGENCE_INTAKE_ORG", "")
#: An optional map tile server for the patterns page (shown as a link only: the page draws
#: its own schematic SVG map, and the Content-Security-Policy allows no other origin).
NORTHSTAR_MAP_TILE_URL = env("NORTHSTAR_MAP_TILE_URL", "")
