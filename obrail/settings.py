"""Django settings for ObRail Europe, read from the environment (see ``.env.example``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from obrail.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_str,
    parse_cache_url,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OBRAIL_VAR_DIR") or BASE_DIR / "var")

# --- Core -----------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set and DEBUG is off: set SECRET_KEY (or SECRET_KEY_FILE) to a long "
            "random string, e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PORT = env_int("PORT", 8000, minimum=1)

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_prometheus",
    # Before the apps: its failed-login handler counts a failure before ours logs it.
    "axes",
    "apps.places",
    "apps.trajets",
    "apps.stats",
    "apps.routing",
    "apps.atlas",
    "apps.ecology",
    "apps.mlregistry",
    "apps.monitoring",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "obrail.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "obrail.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "obrail.urls"
WSGI_APPLICATION = "obrail.wsgi.application"
ASGI_APPLICATION = "obrail.asgi.application"

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
                "obrail.context_processors.main_nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or "sqlite:///db.sqlite3"
# The password may come apart from the URL (DATABASE_PASSWORD_FILE: a generated secret file).
DATABASE_PASSWORD = env_str("DATABASE_PASSWORD") or ""
DATABASES = {
    "default": parse_database_url(DATABASE_URL, base_dir=BASE_DIR).as_django(
        password=DATABASE_PASSWORD
    )
}
# A streaming read replica: reads go there, writes and reads inside a transaction to the
# primary (obrail/db_router.py). Tests read it as a mirror of the primary's test database.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL") or ""
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = parse_database_url(DATABASE_REPLICA_URL, base_dir=BASE_DIR).as_django(
        password=DATABASE_PASSWORD
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["obrail.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO") else None
)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
)
# Operational endpoints answer over plain HTTP even with SECURE_SSL_REDIRECT: the container
# health check, Prometheus and Alertmanager call them inside the host or the compose network.
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^metrics$", r"^monitoring/alertmanager$"]
# Reverse proxies whose X-Forwarded-For is believed (IPs or CIDRs); nobody's by default, so the
# client is the socket address (obrail/client_ip.py).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", [])
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")

# --- Authentication -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins (admin form, API Basic and session) are counted by django-axes per account and
# per client address; LOGIN_FAILURE_LIMIT failures within LOGIN_LOCKOUT_MINUTES lock either out
# for that long; refused attempts cost no password hashing (obrail/login_attempts.py). Each
# further lockout within LOGIN_BACKOFF_MEMORY_HOURS lasts twice the previous one, at most
# LOGIN_LOCKOUT_MAX_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "obrail.login_attempts.BackoffBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
LOGIN_LOCKOUT_MAX_MINUTES = env_int("LOGIN_LOCKOUT_MAX_MINUTES", 1440, minimum=1)
LOGIN_BACKOFF_MEMORY_HOURS = env_int("LOGIN_BACKOFF_MEMORY_HOURS", 24, minimum=1)
AXES_LOCKOUT_CALLABLE = "obrail.login_attempts.lockout_response"
# Attempts refused during a lockout are not recorded: axes appends each attempt's request data
# to its row, which would let a locked-out client grow the table without bound.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "obrail.login_attempts.client_address_for_axes"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True
# Axes' own log lines carry the user name and address; ours carry pseudonyms.
AXES_VERBOSE = False

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "obrail.api_schema.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["obrail.permissions.ReadOnlyOrStaff"],
    # Basic first: refused or missing credentials are a 401 with WWW-Authenticate (RFC 9110).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "obrail.authentication.BasicAuthentication",
        "obrail.authentication.SessionAuthentication",
    ],
    "DEFAULT_FILTER_BACKENDS": ["obrail.api.filters.ApiFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["obrail.renderers.FastJSONRenderer"],
    # The API reads JSON bodies only (the ecology models take lists of species).
    "DEFAULT_PARSER_CLASSES": ["obrail.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "obrail.throttling.AnonThrottle",
        "obrail.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
        "compute": env_str("API_THROTTLE_COMPUTE", "30/minute"),
    },
    "EXCEPTION_HANDLER": "obrail.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ObRail Europe API",
    "DESCRIPTION": (
        "Open data on European rail services (day and night trains): stations, operators, "
        "services, indicators, routes and chemostat models. Reading is public."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ServiceKindEnum": "apps.trajets.models.ServiceKind",
        "GrowthLawEnum": "apps.ecology.models.GrowthLawKind",
        "SourceScopeEnum": "apps.trajets.models.SourceScope",
    },
}

# Counts of large results and the indicators are cached this long at most (0 disables);
# entries are also keyed by the latest import, so an import refreshes them.
API_COUNT_CACHE_SECONDS = env_int("API_COUNT_CACHE_SECONDS", 600, minimum=0)
# API list counts are exact up to this many rows, the planner's estimate (flagged) above; 0: exact.
API_EXACT_COUNT_LIMIT = env_int("API_EXACT_COUNT_LIMIT", 10_000, minimum=0)

# --- Bounded computation (obrail/budget.py, docs/architecture.md) ---------------------------
# Every solver request runs in one of COMPUTE_WORKERS child processes per web process, killed
# after COMPUTE_WALL_MS of wall time or COMPUTE_CPU_SECONDS of CPU; a request finding every
# child busy for COMPUTE_QUEUE_MS gets a 503. Results are cached COMPUTE_CACHE_SECONDS (0: off).
COMPUTE_WORKERS = env_int("COMPUTE_WORKERS", 2, minimum=1)
COMPUTE_CPU_SECONDS = env_int("COMPUTE_CPU_SECONDS", 2, minimum=1)
COMPUTE_WALL_MS = env_int("COMPUTE_WALL_MS", 3000, minimum=100)
COMPUTE_QUEUE_MS = env_int("COMPUTE_QUEUE_MS", 1000, minimum=0)
COMPUTE_CACHE_SECONDS = env_int("COMPUTE_CACHE_SECONDS", 600, minimum=0)
# Computations at once on this host, whichever web worker runs them: one fewer than the
# gunicorn workers keeps one worker free for requests that compute nothing (0: no host limit).
COMPUTE_HOST_SLOTS = env_int(
    "COMPUTE_HOST_SLOTS", max(1, env_int("GUNICORN_WORKERS", 2, minimum=1) - 1), minimum=0
)
# Run by each compute child as it starts (its start-up is not charged to the first call).
COMPUTE_WARMUP = ("apps.routing.services.network.warm_up",)

# --- Caches ---------------------------------------------------------------------------------
# Whole-warehouse aggregates are cached until the next import; a file cache is shared by the
# gunicorn workers and by the ETL process that warms it after each import.
CACHE_URL = env_str("CACHE_URL") or f"file://{VAR_DIR / 'cache'}"
CACHES = {"default": parse_cache_url(CACHE_URL)}

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical"))
LOG_FORMAT = env_choice("LOG_FORMAT", "text", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "obrail.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "obrail.logging.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",  # local time with its UTC offset
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL.upper()},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # axes' own lines repeat ours (obrail.login_attempts) with masked values.
        "axes": {"level": "WARNING"},
    },
}

# --- ObRail ---------------------------------------------------------------------------------
OBRAIL_VERSION = env_str("OBRAIL_VERSION") or ""
ETL_SOURCES_FILE = Path(
    env_str("ETL_SOURCES_FILE") or BASE_DIR / "apps" / "trajets" / "etl" / "sources.toml"
)
ETL_CACHE_DIR = Path(env_str("ETL_CACHE_DIR") or VAR_DIR / "etl-cache")
# Where the "full" source set reads its files (the complete datasets, not bundled).
ETL_FULL_DATA_DIR = Path(env_str("ETL_FULL_DATA_DIR") or BASE_DIR.parent / "shared" / "data")
ROUTING_ARTIFACT_DIR = Path(env_str("ROUTING_ARTIFACT_DIR") or VAR_DIR / "routing")
ALERTMANAGER_WEBHOOK_TOKEN = env_str("ALERTMANAGER_WEBHOOK_TOKEN") or ""
# /metrics answers a request bearing METRICS_TOKEN, or coming straight (not through an
# untrusted proxy) from METRICS_ALLOWED_NETWORKS; nobody else (apps/monitoring/views.py).
METRICS_TOKEN = env_str("METRICS_TOKEN") or ""
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1"])
# /health reports the var directory failing below this much free space, in MiB.
VAR_DIR_MIN_FREE_MB = env_int("VAR_DIR_MIN_FREE_MB", 100, minimum=0)
PROMETHEUS_EXPORT_MIGRATIONS = False
# Legal notice (LCEN art. 6 III, RGPD art. 13): facts of each deployment, published as given
# (obrail/legal.py). A missing one is a warning of `manage.py check --deploy`, left out of the
# page (named there only with DEBUG on).
LEGAL_PUBLISHER_NAME = env_str("LEGAL_PUBLISHER_NAME") or "ObRail Europe"
LEGAL_PUBLISHER_ADDRESS = env_str("LEGAL_PUBLISHER_ADDRESS") or ""
LEGAL_CONTACT_EMAIL = env_str("LEGAL_CONTACT_EMAIL") or ""
LEGAL_PUBLICATION_DIRECTOR = env_str("LEGAL_PUBLICATION_DIRECTOR") or ""
LEGAL_HOST_NAME = env_str("LEGAL_HOST_NAME") or ""
LEGAL_HOST_ADDRESS = env_str("LEGAL_HOST_ADDRESS") or ""
LEGAL_HOST_PHONE = env_str("LEGAL_HOST_PHONE") or ""
LEGAL_DPO_EMAIL = env_str("LEGAL_DPO_EMAIL") or ""
