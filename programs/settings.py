"""Settings, all from the environment (see the table in README.md).

With nothing set the product runs embedded: SQLite, and kombu's SQLAlchemy transport on a SQLite file, under ``var/``.
``DATABASE_URL`` switches to PostgreSQL, ``CELERY_BROKER_URL`` to Redis, ``CACHE_URL`` to a shared cache.
``DJANGO_ENV=production`` refuses to start without a real secret key and allowed hosts.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from sqlalchemy.pool import NullPool

from programs.keyfile import read_or_create_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Development without SECRET_KEY: a random key made on first start and kept in var/secret_key (0600), never a
# key anyone else knows. Production refuses to start without one.
_DEV_SECRET_KEY = "development-only-secret-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and not PRODUCTION:
    SECRET_KEY = read_or_create_secret_key(VAR_DIR / "secret_key")
# Off unless asked for (DEBUG=1): Django's debug pages list every URL pattern and settings.
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if PRODUCTION:
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY: production needs a random secret of at least 50 characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS: production needs the host names this site answers to.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG: must be off in production.")

INSTALLED_APPS = [
    # This project's apps first: among apps, the first listed wins both a template name and a translation, so
    # our own labels ("name" → 姓名/名称) are never renamed by a third-party catalogue (django-celery-beat's
    # "name" → "任务名"), and the portal's admin templates (the dashboard, the site header) override the admin's.
    "portal",
    "programs",
    "inspections",
    "guidance",
    "workshops",
    "portal.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "programs.axes_app.SignInAttemptsConfig",  # django-axes, with a translatable name
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early: a NUL byte or undecodable bytes in the path or query answer 400 before anything reads them.
    "programs.middleware.RejectMalformedRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A save that lost a race for a unique value answers 409, not 500 (programs.dberrors).
    "programs.middleware.UniqueViolationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "programs.idempotency.IdempotencyKeyMiddleware",
    # Turns django-ratelimit's refusal into RATELIMIT_VIEW's 429 page instead of a bare 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Per-address limit of the sign-in forms (SIGN_IN_RATE), before django-axes counts the attempt.
    "programs.middleware.SignInRateLimitMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of every login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "programs.wsgi.application"
AUTH_USER_MODEL = "programs.User"
LOGIN_URL = "login"
LOGOUT_REDIRECT_URL = "home"

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

# --- Database -------------------------------------------------------------------------------------
# SQLite in IMMEDIATE mode takes the write lock at BEGIN, so concurrent writers queue instead of failing
# half-way with "database is locked"; WAL lets readers go on meanwhile.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: rate limits and throttles must be shared by every process ---------------------------------
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "programs.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Authentication -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# One username from one address: five people behind one proxy, or one person mistyping, lock out nobody else.
# SIGN_IN_RATE limits one address whatever usernames it tries.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A wrong password during a lock-out is refused without being counted, so it does not restart the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# The client's address behind the trusted proxies (TRUSTED_PROXIES), for axes, ratelimit and the API throttles.
AXES_CLIENT_IP_CALLABLE = "programs.clientip.client_ip"
RATELIMIT_IP_META_KEY = "programs.clientip.client_ip"
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated). Empty: none, and
# REMOTE_ADDR is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SIGN_IN_RATE = env.str("SIGN_IN_RATE", default="20/m")
SIGN_IN_VIEWS = ["login", "admin:login"]
# API tokens stop working this many days after they were issued; a password change or deactivation revokes them.
API_TOKEN_MAX_AGE_DAYS = env.int("API_TOKEN_MAX_AGE_DAYS", default=30)
# API lists count at most this many rows: past it `count` is this number and `count_capped` is true.
API_COUNT_CAP = env.int("API_COUNT_CAP", default=10_000)
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "programs.views.locked_out"

# --- Internationalisation ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Our corrections to Django's zh_Hans formats (programs/formats/): thousands grouped with commas wherever a figure
# is grouped (intcomma, floatformat:"2g"). Grouping stays explicit (USE_THOUSAND_SEPARATOR off): templates print
# ids into URLs and form values, which must never read "1,234".
FORMAT_MODULE_PATH = ["programs.formats"]

# --- Static files -----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Largest evidence, photo or import file accepted (programs.uploads.check_upload); bigger ones are refused.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# An .xlsx to import may unpack to at most this many bytes (a zip bomb is refused before it is parsed).
IMPORT_MAX_XLSX_BYTES = env.int("IMPORT_MAX_XLSX_BYTES", default=100 * 1024 * 1024)

# --- Mail and SMS -----------------------------------------------------------------------------------
# Embedded default: every email is written to var/mail/ instead of being sent.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail:///" + str(VAR_DIR / "mail"))
if EMAIL_CONFIG.get("EMAIL_FILE_PATH") and not EMAIL_CONFIG["EMAIL_FILE_PATH"].startswith("/"):
    # django-environ drops the leading slash of filemail:///abs/path
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = "/" + EMAIL_CONFIG["EMAIL_FILE_PATH"]
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@programs.example.cn")
SMS_BACKEND = env.str("SMS_BACKEND", default="programs.delivery.LoggingSmsBackend")
# Every network call of a delivery has a time-out, so that a stalled server costs one message, not a sweep.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
SMS_TIMEOUT = env.int("SMS_TIMEOUT", default=10)
# Payments (programs.payments): the backend class, the secret its notifications are signed with (by default
# derived from SECRET_KEY), and the simulated gateway's test knobs: seconds before it notifies, how many times
# it sends each notification, how many of its first posts fail (it retries them).
PAYMENT_BACKEND = env.str("PAYMENT_BACKEND", default="programs.payments.SimulatedGateway")
PAYMENT_GATEWAY_SECRET = env.str("PAYMENT_GATEWAY_SECRET", default="") or f"payment-gateway:{SECRET_KEY}"
PAYMENT_CALLBACK_BASE_URL = env.str("PAYMENT_CALLBACK_BASE_URL", default="")
PAYMENT_TIMEOUT = env.int("PAYMENT_TIMEOUT", default=10)
PAYMENT_SIMULATOR_DELAY = env.float("PAYMENT_SIMULATOR_DELAY", default=1.0)
PAYMENT_SIMULATOR_DUPLICATES = env.int("PAYMENT_SIMULATOR_DUPLICATES", default=1)
PAYMENT_SIMULATOR_FAILURES = env.int("PAYMENT_SIMULATOR_FAILURES", default=0)
# The simulated gateway takes no money: production refuses to start with it unless told it is meant (a staging site).
PAYMENT_ALLOW_SIMULATOR = env.bool("PAYMENT_ALLOW_SIMULATOR", default=False)
if PRODUCTION and PAYMENT_BACKEND == "programs.payments.SimulatedGateway" and not PAYMENT_ALLOW_SIMULATOR:
    raise ImproperlyConfigured(
        "PAYMENT_BACKEND: production needs a real payment gateway (PAYMENT_ALLOW_SIMULATOR=1 for a staging site)."
    )
# The outbox sweep: how many rows one sweep claims, and how retries back off.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=200)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

# --- Celery -----------------------------------------------------------------------------------------
# Embedded default: kombu's SQLAlchemy transport on a SQLite file. A message is a row written in one transaction
# and taken with BEGIN IMMEDIATE, so a reader never sees half a message (the filesystem transport's worker died
# reading a half-written file). NullPool: no SQLite connection is kept open across the prefork pool's fork;
# a writer waits up to 30 s for another's lock.
SQLITE_BROKER_TRANSPORT_OPTIONS = {"poolclass": NullPool, "connect_args": {"timeout": 30}}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery.sqlite3'}")
if CELERY_BROKER_URL.startswith(("sqla+sqlite:", "sqlalchemy+sqlite:")):
    CELERY_BROKER_TRANSPORT_OPTIONS = SQLITE_BROKER_TRANSPORT_OPTIONS
else:
    # Fail fast when the broker is down: the outbox keeps the work, a request must not hang on it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# An outbox row claimed by a sweep stays its own this long: past the hard time limit, so that the sweep that
# claimed it has certainly finished or been killed before another may deliver it.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
# /healthz reports the worker down when no worker has run the 30-second heartbeat task for this many seconds.
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=120)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# How long a request waits for the broker when it queues a task after commit; the sweeps cover the rest.
# Only the keywords kombu's Connection.ensure() takes (a "timeout" key made every publish raise TypeError).
CELERY_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

# --- REST API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "programs.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "programs.rest.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "programs.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "programs.rest.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "programs.authentication.AnonRateThrottle",
        "programs.authentication.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/minute"),
        "user": env.str("THROTTLE_USER", default="1200/minute"),
        "login": env.str("THROTTLE_LOGIN", default="10/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "programs.parsers.StrictMultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhejiang programs API",
    "DESCRIPTION": "Co-prosperity workshops, enterprise inspections and guidance bookings, for mobile clients.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "GradeEnum": "programs.models.Grade",
        "PlanEntryModeEnum": "inspections.models.PlanEntry.Mode",
        # Several answers carry an inspection's or a finding's status (the visit record, the re-inspection).
        "InspectionStatusEnum": "inspections.models.Inspection.Status",
        "FindingStatusEnum": "inspections.models.Finding.Status",
        "FindingDecisionEnum": "inspections.models.Finding.Decision",
    },
}
# Public forms and the code-verify page: django-ratelimit, counted in the shared cache.
PUBLIC_FORM_RATE = env.str("PUBLIC_FORM_RATE", default="20/m")
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "programs.views.rate_limited"
RATELIMIT_FAIL_OPEN = True  # a cache outage must not shut the public forms
CSRF_FAILURE_VIEW = "programs.views.csrf_failure"
SILENCED_SYSTEM_CHECKS = [
    # The file-based cache is the embedded default; production sets CACHE_URL to Redis.
    "django_ratelimit.E003",
    "django_ratelimit.W001",
]

# --- Security (production) --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- Logging: never personal data; the formatters log ids, not names or ID numbers ----------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# Every handler carries the personal-data filter (ID numbers, mobile numbers, signed-link tokens masked in the
# message, its arguments and its traceback); Django's own loggers lose their default handlers and go through it
# too, and so does the Celery worker (it keeps these handlers instead of installing its own).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "programs.log_masking.PersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each of its seven rendering steps at INFO; its warnings stay.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Product rules that an office may tune ------------------------------------------------------------
# Demo accounts share this password; printed by `make run`, never used outside the demo.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-pass-2026")

# The public face: the office named in the footer of every public page, and its 备案 (ICP record) number,
# linked to the MIIT register. An empty value is left out of the footer. 12345 is the national government
# service hotline (政务服务便民热线).
SITE_OFFICE_NAME = env.str("SITE_OFFICE_NAME", default="政务服务中心")
SITE_OFFICE_ADDRESS = env.str("SITE_OFFICE_ADDRESS", default="")
SITE_OFFICE_PHONE = env.str("SITE_OFFICE_PHONE", default="12345")
SITE_OFFICE_HOURS = env.str("SITE_OFFICE_HOURS", default="")
SITE_ICP_RECORD = env.str("SITE_ICP_RECORD", default="")

# guidance
# Least notice an enterprise must give to reschedule or cancel a visit itself (staff are not bound by it).
GUIDANCE_MIN_NOTICE_HOURS = env.int("GUIDANCE_MIN_NOTICE_HOURS", default=24)
# A booking still unconfirmed this many hours after it was made is escalated to the region's coordinators.
GUIDANCE_ESCALATE_AFTER_HOURS = env.int("GUIDANCE_ESCALATE_AFTER_HOURS", default=24)
# How many weeks ahead the weekly templates are turned into bookable slots.
GUIDANCE_SLOT_WEEKS_AHEAD = env.int("GUIDANCE_SLOT_WEEKS_AHEAD", default=4)
# The satisfaction survey goes out this many hours after a visit is marked completed.
GUIDANCE_SURVEY_DELAY_HOURS = env.int("GUIDANCE_SURVEY_DELAY_HOURS", default=2)
# Signed reschedule / cancel / feedback links stop working after this many days.
GUIDANCE_LINK_MAX_AGE_DAYS = env.int("GUIDANCE_LINK_MAX_AGE_DAYS", default=180)
# The address put in front of links in emails and texts.
GUIDANCE_SITE_URL = env.str("GUIDANCE_SITE_URL", default="http://127.0.0.1:8000")
# A place offered to the first business on a full slot's waitlist is held for it this many hours, then passes on.
GUIDANCE_WAITLIST_HOLD_HOURS = env.int("GUIDANCE_WAITLIST_HOLD_HOURS", default=12)
# Names of the guidance app's choice sets in the OpenAPI schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "GuidanceModeEnum": "guidance.models.Mode",
        "GuidanceBookingStatusEnum": "guidance.models.Booking.Status",
        "GuidanceRiskStatusEnum": "guidance.models.Risk.Status",
        "GuidanceSessionKindEnum": "guidance.models.Session.Kind",
    }
)
# The choice sets of the after- and between-inspection records, named apart (several are called kind, status,
# outcome, channel, category or role).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "PenaltyCaseStatusEnum": "inspections.models.cases.PenaltyCase.Status",
        "PenaltyCaseDocumentKindEnum": ["penalty_notice", "penalty_decision"],
        "CaseReviewKindEnum": "inspections.models.cases.CaseReview.Kind",
        "CaseReviewOutcomeEnum": "inspections.models.cases.CaseReview.Outcome",
        "FineStatusEnum": "inspections.models.fines.Fine.Status",
        "FineArrangementKindEnum": "inspections.models.fines.FineArrangement.Kind",
        "FineArrangementStatusEnum": "inspections.models.fines.FineArrangement.Status",
        "PaymentOrderStatusEnum": "programs.payment_models.PaymentOrder.Status",
        "LenientListKindEnum": "inspections.models.catalogue.LenientList.Kind",
        "LenientOutcomeEnum": "inspections.models.catalogue.LenientListEntry.Outcome",
        "RepairApplicationStatusEnum": "inspections.models.repair.RepairApplication.Status",
        "RepairEvidenceKindEnum": "inspections.models.repair.RepairEvidence.Kind",
        "RequestCategoryEnum": "inspections.models.requests.RequestCategory",
        "EnterpriseRequestStatusEnum": "inspections.models.requests.EnterpriseRequest.Status",
        "EnterpriseRequestChannelEnum": "inspections.models.requests.EnterpriseRequest.Channel",
        "AssistanceCaseStatusEnum": "inspections.models.assistance.AssistanceCase.Status",
        "AssistanceTaskStatusEnum": "inspections.models.assistance.AssistanceTask.Status",
        "ComplaintCategoryEnum": "inspections.models.complaints.ComplaintCategory",
        "ComplaintStatusEnum": "inspections.models.complaints.Complaint.Status",
        "ComplaintChannelEnum": "inspections.models.complaints.Complaint.Channel",
        "ComplaintOutcomeEnum": "inspections.models.complaints.Complaint.Outcome",
        "ServiceOfferingKindEnum": "inspections.models.ordering.ServiceOffering.Kind",
        "ServiceOrderStatusEnum": "inspections.models.ordering.ServiceOrder.Status",
        "GridAssignmentRoleEnum": "programs.grid_models.GridAssignment.Role",
        "OfferRoundReasonEnum": "workshops.offer_models.OfferRound.Reason",
        "CourseStatusEnum": "workshops.offer_models.Course.Status",
        "CourseEnrolmentStatusEnum": "workshops.offer_models.CourseEnrolment.Status",
        "CourseAttendanceEnum": "workshops.offer_models.CourseEnrolment.Attendance",
    }
)

# workshops
# A registration waiting this many days in one status reminds the responsible community worker; after
# WORKSHOPS_EXPIRY_DAYS without action it expires. The 15-minute employment circle: villages within
# WORKSHOPS_CIRCLE_MINUTES; another village of the same town counts WORKSHOPS_SAME_TOWN_MINUTES unless a
# travel time between the two is configured.
WORKSHOPS_REMINDER_DAYS = env.int("WORKSHOPS_REMINDER_DAYS", default=3)
WORKSHOPS_EXPIRY_DAYS = env.int("WORKSHOPS_EXPIRY_DAYS", default=30)
WORKSHOPS_CIRCLE_MINUTES = env.int("WORKSHOPS_CIRCLE_MINUTES", default=15)
WORKSHOPS_SAME_TOWN_MINUTES = env.int("WORKSHOPS_SAME_TOWN_MINUTES", default=10)
# Travel time between two villages with coordinates: the straight-line distance at this speed (km/h), unless a
# travel time is typed for the pair (workshops.circle). Job offers reach low-income and disabled residents first;
# the others this many minutes later.
WORKSHOPS_TRAVEL_SPEED_KMH = env.float("WORKSHOPS_TRAVEL_SPEED_KMH", default=30.0)
WORKSHOPS_OFFER_HEAD_START_MINUTES = env.int("WORKSHOPS_OFFER_HEAD_START_MINUTES", default=60)
# Names of the workshops app's choice sets in the OpenAPI schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "PayUnitEnum": "workshops.models.PayUnit",
        "PositionCategoryEnum": "workshops.models.Category",
        "CourseStatusEnum": "workshops.offer_models.CourseStatus",
        "CourseEnrolmentStatusEnum": "workshops.offer_models.EnrolmentStatus",
        "CourseAttendanceEnum": "workshops.offer_models.Attendance",
        "WorkshopKindEnum": "workshops.models.WorkshopKind",
        "WorkshopStatusEnum": "workshops.models.WorkshopStatus",
        "PositionStatusEnum": "workshops.models.PositionStatus",
        "RegistrationChannelEnum": "workshops.models.RegistrationChannel",
        "RegistrationStatusEnum": "workshops.models.RegistrationStatus",
        "ActivityKindEnum": "workshops.models.ActivityKind",
    }
)
