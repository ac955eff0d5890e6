"""Settings for the deal tracker, read from the environment (see the table in README.md).

With nothing set, the project runs on an SQLite file with Celery tasks executed in-process, so a
newcomer needs no services. Production sets ``DEBUG=0``, ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``; unsafe combinations refuse to start.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (production).")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (production).")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_countries",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "deals",
    "sources",
    "screening",
]

MIDDLEWARE = [
    # First: /healthz is answered before sessions, locale, CSRF, axes, host checks and the SSL redirect.
    "tracker.health.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tracker.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from one
# address, that pair is locked out for AXES_COOLOFF_HOURS.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0)

# Content-Security-Policy: scripts only from our own origin (the admin's static files; the public
# pages have none), no framing, no plugins. Inline styles stay allowed for the admin's widgets.
# The filters' empty choice reads as a word, not as django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("any")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (the dev server, an in-process worker) share the file; wait instead of failing.
    # IMMEDIATE takes the write lock when a transaction begins, so a reader that later writes waits
    # for the timeout instead of failing at once with "database is locked".
    # WAL lets readers go on while one thread writes; with it, NORMAL syncs at checkpoints, not every commit.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"}  # fmt: skip
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not Django's shared-cache in-memory database: that one takes table locks that
    # ignore the timeout ("database table is locked" when the background extraction thread writes),
    # and its connections cannot be closed, so a test of closing them could not pass.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"tracker-test-{os.getpid()}.sqlite3")}
if not DEBUG and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env_bool("ALLOW_SQLITE", False):
    raise ImproperlyConfigured("Production (DEBUG=0) needs DATABASE_URL pointing at PostgreSQL.")
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"

# Largest article accepted by ingestion (bytes); larger input is refused with a clear message.
ARTICLE_MAX_BYTES = env_int("ARTICLE_MAX_BYTES", 5 * 1024 * 1024)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")  # links printed by commands
DATA_UPLOAD_MAX_MEMORY_SIZE = ARTICLE_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = ARTICLE_MAX_BYTES
# URL fetching: hosts whose addresses are private are refused unless listed here (tests: 127.0.0.1).
FETCH_ALLOWED_PRIVATE_HOSTS = [h.strip() for h in os.environ.get("FETCH_ALLOWED_PRIVATE_HOSTS", "").split(",") if h]
FETCH_TIMEOUT_SECONDS = env_int("FETCH_TIMEOUT_SECONDS", 15)
FETCH_MAX_REDIRECTS = env_int("FETCH_MAX_REDIRECTS", 5)
# An article gives up after this many processing attempts, with the last error kept.
ARTICLE_MAX_ATTEMPTS = env_int("ARTICLE_MAX_ATTEMPTS", 5)
# Wall time the extractor may spend on one article (checked inside its loops); it must stay well
# below CELERY_TASK_SOFT_TIME_LIMIT so a slow article fails with its reason, not at the task limit.
EXTRACTION_BUDGET_SECONDS = float(os.environ.get("EXTRACTION_BUDGET_SECONDS", "20"))
# Spreadsheet import bounds (deals/imports.py, Limits): the file's bytes and one import's wall time.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_SECONDS = env_int("IMPORT_MAX_SECONDS", 600)
# Where an admin upload waits between its dry run and the confirmation (default: $TMPDIR/tracker-imports).
IMPORT_UPLOAD_DIR = os.environ.get("IMPORT_UPLOAD_DIR", "")

# Celery. Without REDIS_URL tasks run in-process (eagerly) so the embedded default needs no broker.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# A worker killed mid-task must not lose the article: ack after the run, re-queue on worker loss
# (measured in FIELD-NOTES.md). Time limits stay below the visibility timeout, or Redis would
# hand a still-running task to a second worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 900)
# Celery's Django fixup closes the database connection before and after every task unless this is
# set: a new PostgreSQL backend per article, with cold catalog caches, cost a worker ~40% of its
# throughput (docs/benchmarks.md). Reused for this many tasks; a task that fails or times out closes
# its connection anyway (tracker/celery.py), since a query cut short by a time limit can leave it broken.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 500)
# How often kombu looks for unacked messages older than the visibility timeout (after a worker was
# killed outright): every interval × throttle seconds. The fault tests shorten both.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 30
# The cache every web and worker process shares (public filter choices, cleared by review
# decisions): a Redis database of its own, so clearing it never touches the broker's queues.
# Unset: each process keeps its own (fine for the one-process embedded default).
CACHE_URL = os.environ.get("CACHE_URL", "")


def cache_settings(url: str) -> dict:
    """``CACHES`` for a Redis URL. The backend fails open (tracker/cache.py): with Redis down every
    page is served uncached instead of answering 500, and a dead Redis costs milliseconds."""
    return {"default": {"BACKEND": "tracker.cache.FailOpenRedisCache", "LOCATION": url, "KEY_PREFIX": "tracker"}}


if CACHE_URL:
    CACHES = cache_settings(CACHE_URL)
# Public /stats/ results are cached per filter until the next review decision, at most this long.
STATS_CACHE_SECONDS = env_int("STATS_CACHE_SECONDS", 600)
# Concurrent CSV exports per client address (a 429 past that), and how long a slot may be held.
EXPORTS_PER_CLIENT = env_int("EXPORTS_PER_CLIENT", 2)
EXPORT_SLOT_SECONDS = env_int("EXPORT_SLOT_SECONDS", 1800)
# /healthz keeps its answer this long per process: probes from many balancers cost one check.
HEALTHZ_CACHE_SECONDS = env_int("HEALTHZ_CACHE_SECONDS", 2)
# Language analysers a worker loads before forking its pool (the others load on first use).
EXTRACTION_PRELOAD = [c for c in os.environ.get("EXTRACTION_PRELOAD", "ko,en").split(",") if c.strip()]
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "tracker")
# The listing's facet counts over all approved deals (seconds of work at 1M deals): beat refreshes
# them every FACET_TOTALS_REFRESH seconds; they expire after FACET_TOTALS_SECONDS without it.
FACET_TOTALS_REFRESH = env_int("FACET_TOTALS_REFRESH", 300)
FACET_TOTALS_SECONDS = env_int("FACET_TOTALS_SECONDS", 1800)
# The ECB's reference-rate history, loaded by `manage.py rates_update` and by beat every
# RATES_UPDATE_SECONDS (a week; 0: never, e.g. without network access).
RATES_URL = os.environ.get("RATES_URL", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip")
RATES_UPDATE_SECONDS = env_int("RATES_UPDATE_SECONDS", 7 * 24 * 3600)
CELERY_BEAT_SCHEDULE = {
    "poll-due-feeds": {"task": "sources.tasks.feeds_poll_due", "schedule": 60.0},
    "refresh-facet-totals": {"task": "deals.tasks.facet_totals_refresh", "schedule": float(FACET_TOTALS_REFRESH)},
    "requeue-stuck-articles": {"task": "sources.tasks.articles_requeue_stuck", "schedule": 300.0},
}
# Sanctions lists beat reloads daily where the network allows: "name=format=URL" entries, comma-separated
# (docs/screening.md), e.g. "OpenSanctions sanctions=opensanctions-csv=https://data.opensanctions.org/...".
SCREENING_REFRESH = [tuple(e.strip().split("=", 2)) for e in os.environ.get("SCREENING_REFRESH", "").split(",")
                     if e.count("=") >= 2]  # fmt: skip
if SCREENING_REFRESH:
    CELERY_BEAT_SCHEDULE["refresh-screening-lists"] = {"task": "screening.tasks.lists_refresh", "schedule": 86400.0}
if RATES_UPDATE_SECONDS and RATES_URL:
    CELERY_BEAT_SCHEDULE["update-exchange-rates"] = {"task": "deals.tasks.rates_update",
                                                     "schedule": float(RATES_UPDATE_SECONDS)}  # fmt: skip
if CELERY_TASK_TIME_LIMIT >= CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must stay below CELERY_VISIBILITY_TIMEOUT.")

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters in production.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The read-only JSON API (deals/api.py): anonymous, throttled per client address through the
# shared cache, JSON and the browsable pages only.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],  # fmt: skip
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/min")},
    "NUM_PROXIES": env_int("PROXY_COUNT", 0),
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Foreign tech-investment deal tracker API",
    "DESCRIPTION": "Approved deals only. Fields are the CSV export's columns; filters are the listing's.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package: no CDN, and its script is a file (the CSP allows 'self' only).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put a link inside each operation's button (axe-core: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
}
