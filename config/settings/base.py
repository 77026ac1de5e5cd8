"""Settings shared by every environment.

The embedded default needs no environment variables: SQLite in ./var, the database task
backend, console e-mail. Production overrides come from the environment (django-environ),
and a value that is malformed fails loudly at start-up.
"""

from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-yingxiao-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
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
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "simple_history",
    "django_tasks_db",
    "crontask",
    "yingxiao.core",
    "yingxiao.org",
    "yingxiao.policy",
    "yingxiao.approvals",
    "yingxiao.customers",
    "yingxiao.activities",
    "yingxiao.performance",
    "yingxiao.sales",
    "yingxiao.service",
    "yingxiao.telesales",
    "yingxiao.workforce",
    "yingxiao.training",
    "yingxiao.archives",
    "yingxiao.planning",
    "yingxiao.marketing",
    "yingxiao.reports",
    "yingxiao.web",
    "yingxiao.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yingxiao.web.middleware.LocaleMiddleware",  # Django's, but zh-hans for non-Chinese browsers
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yingxiao.web.context_processors.navigation",
            ],
        },
    }
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'yingxiao.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web process, the task worker and the scheduler share one file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # No JIT: its compile time (seconds on a 50 ms aggregate over millions of rows) is never
    # paid back by the short queries of a web page or a sweep's batches.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["yingxiao.org.auth.RolePermissionBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "yingxiao.web.storage.StaticFilesStorage"},  # hashed + compressed
}

# Strict CSP: no inline script or style, nothing from another origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024


def mailer_from_url(url: str) -> dict[str, object]:
    """A ``MAILERS`` entry (Django 6.1) from an e-mail URL: ``consolemail://``, ``smtp+tls://user:pw@host:587``."""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options: dict[str, object] = {}
    if backend == "django.core.mail.backends.smtp.EmailBackend":
        options = {
            "host": config["EMAIL_HOST"] or "localhost",
            "port": config["EMAIL_PORT"] or None,
            "username": config["EMAIL_HOST_USER"] or None,
            "password": config["EMAIL_HOST_PASSWORD"] or None,
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": 30,
        }
    elif backend == "django.core.mail.backends.filebased.EmailBackend":
        options = {"file_path": "/" + config["EMAIL_FILE_PATH"]}
    return {"BACKEND": backend, "OPTIONS": options}


# Mail goes to the console unless EMAIL_URL names a server (e.g. smtp+tls://user:password@smtp.example.com:587).
MAILERS = {"default": mailer_from_url(env.str("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="yingxiao@localhost")

REDIS_URL = env.str("REDIS_URL", default="")

# Caches: per-process memory by default; shared Redis when REDIS_URL is set (several processes or
# machines then see one another's invalidations at once). The org cache holds each user's
# permissions and data scope (yingxiao.org.scope), keyed by a version that org changes bump.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "yingxiao"}}
CACHES["org"] = {**CACHES["default"], "KEY_PREFIX": "org", "TIMEOUT": env.int("ORG_CACHE_SECONDS", default=60)}
if not REDIS_URL:
    CACHES["org"]["LOCATION"] = "yingxiao-org"

# Background work: app code only uses django.tasks. The embedded default stores tasks in
# the database (`manage.py db_worker`); with REDIS_URL set, tasks go to RQ workers on any number
# of machines (`manage.py rqworker default --job-class django_tasks_rq.backend.Job`) and the
# scheduler (`manage.py crontask`) takes a Redis lock so only one of several schedulers fires.
# django_tasks_db stays installed in both modes (its table, the reaper and admin keep working).
# Tasks are declared on "default"; TASKS_QUEUES adds more (e.g. an isolated queue per test run).
TASKS_QUEUES = list(dict.fromkeys(["default", *env.list("TASKS_QUEUES", default=[])]))
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # A full sweep at a million customers runs for minutes: RQ's 180 s default would kill it.
    RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env.int("RQ_DEFAULT_TIMEOUT", default=3600)}
        for name in TASKS_QUEUES
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASKS_QUEUES}}
    CRONTASK = {"REDIS_URL": REDIS_URL}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASKS_QUEUES}}
# The reaper (yingxiao.core.tasks) returns tasks RUNNING longer than this to the queue (a dead
# worker's), and fails them after TASKS_MAX_ATTEMPTS claims. Sweeps are idempotent, so a rerun is safe.
TASKS_STALE_AFTER_MINUTES = env.int("TASKS_STALE_AFTER_MINUTES", default=60)
TASKS_MAX_ATTEMPTS = env.int("TASKS_MAX_ATTEMPTS", default=3)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["yingxiao.core.permissions.ModelActionPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "yingxiao.core.pagination.FastPageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "yingxiao.core.api.ApiSchema",
    "EXCEPTION_HANDLER": "yingxiao.core.api_errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Yingxiao API — 营销中心管理系统",
    "DESCRIPTION": _("Marketing center management: organisation, customers, activities."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind" or "status" field with different choices: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        f"{path.rsplit('.', 2)[-2]}{path.rsplit('.', 1)[-1]}Enum": path
        for path in [
            "yingxiao.activities.models.Activity.Kind",
            "yingxiao.approvals.models.Step.Kind",
            "yingxiao.approvals.models.Instance.Status",
            "yingxiao.approvals.models.Decision.Kind",
            "yingxiao.core.models.CalendarDay.Kind",
            "yingxiao.customers.models.Customer.Kind",
            "yingxiao.customers.models.Customer.Grade",
            "yingxiao.customers.models.Referral.RewardKind",
            "yingxiao.customers.models.CustomerIdentity.Kind",
            "yingxiao.org.models.Department.Kind",
            "yingxiao.org.models.User.Status",
            "yingxiao.performance.models.Violation.Kind",
            "yingxiao.performance.models.Violation.Status",
            "yingxiao.performance.models.Reward.Kind",
            "yingxiao.performance.models.Reward.Status",
            "yingxiao.policy.models.RuleRun.Status",
            "yingxiao.performance.models.Evaluation.Grade",
            "yingxiao.performance.models.EvaluationItem.Source",
            "yingxiao.customers.models.Customer.Source",
        ]
    }
    | {"ArchiveLevelEnum": "yingxiao.archives.models.Level"},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# Backups (TEL-5) keep times to the microsecond: Django's json format cuts them to milliseconds.
SERIALIZATION_MODULES = {"exactjson": "yingxiao.core.exact_json"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The scheduler logs its lock renewal every few seconds at INFO: keep the console readable.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "apscheduler": {"level": "WARNING"}},
}
