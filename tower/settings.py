"""One settings file, configured by environment variables.

Without any variable set, the product runs on an embedded SQLite database (WAL mode) in the data
folder, so a fresh checkout works. `DATABASE_URL=postgres://...` switches to PostgreSQL.

Variables:
  TOWER_DATA_DIR      folder for the SQLite file and other local data [var/ of the checkout]
  DATABASE_URL        e.g. postgres://user@127.0.0.1:5432/tower (psycopg 3); unset = SQLite
  SECRET_KEY          required to serve with DEBUG off (tower/secret_key.py); `tower demo`
                      generates one into the data folder
  DEBUG               1/0 [0]
  ALLOWED_HOSTS       comma-separated [127.0.0.1,localhost]
  TIME_ZONE           [UTC]
  TOWER_HTTPS         1 behind an HTTPS proxy: secure cookies, redirect to HTTPS, HSTS [0]
  TOWER_HSTS_SECONDS  HSTS max-age with TOWER_HTTPS=1 [31536000, one year]
  TOWER_HSTS_SUBDOMAINS, TOWER_HSTS_PRELOAD  1: HSTS includeSubDomains, preload [0]
  TOWER_PROXY_HOPS    reverse proxies in front (their X-Forwarded-For gives the client's
                      address for sign-in throttling) [1 with TOWER_HTTPS=1, else 0]
  TOWER_SIGNIN_FAILURE_LIMIT    failed sign-ins per account and per address before a lockout [5]
  TOWER_SIGNIN_COOLOFF_MINUTES  how long a lockout lasts [15]
  TOWER_RESET_LIMIT   password-reset requests per address and per e-mail per hour [5]
  TOWER_REQUIRE_2FA_FOR_ADMINS  1: CMO admins must sign in with a second factor [0]
  TOWER_EMAIL_HOST, TOWER_EMAIL_PORT, TOWER_EMAIL_USER, TOWER_EMAIL_PASSWORD, TOWER_EMAIL_TLS,
  TOWER_EMAIL_FROM    SMTP for password-reset mail and delay notices; without TOWER_EMAIL_HOST
                      mail is written as files to DATA_DIR/mail
  TOWER_BASE_URL      the web app's address in e-mailed links [http://127.0.0.1:8000]
  TOWER_WEBHOOK_ALLOW_PRIVATE  1: webhook endpoints may be private or loopback addresses [0]
"""

import datetime as dt
import os
import warnings
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from tower.secret_key import DEFAULT_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def envlist(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


# var/ next to the tower package (the checkout), not of the current folder: `tower` run from
# anywhere else must find the same data, not silently start an empty database there.
DATA_DIR = Path(os.environ.get("TOWER_DATA_DIR", BASE_DIR.parent / "var")).resolve()

DEBUG = envbool("DEBUG")
# Without SECRET_KEY the public default key is used, which only commands that do not serve may do:
# tower.wsgi (gunicorn and runserver) refuses it with DEBUG off; `tower demo` generates a key.
SECRET_KEY = os.environ.get("SECRET_KEY") or DEFAULT_SECRET_KEY
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tower.tenancy",
    "tower.masterdata",
    "tower.orders",
    "tower.performance",
    "tower.quality",
    "tower.stockouts",
    "tower.stock",
    "tower.calendars",
    "tower.outlook",
    "tower.agreements",
    "tower.webhooks",
    "tower.actions",
    "tower.communications",
    "tower.meetings",
    "tower.escalations",
    "tower.scorecards",
    "tower.projects",
    "tower.risks",
    "tower.harmonisation",
    "tower.processes",
    "tower.improvement",
    "tower.imports",
    "tower.board",
    "tower.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # A user with a second factor must enter it (and an admin, when required, enrol one) first.
    "tower.tenancy.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records the signed-in user as the author of audited changes made through the web app.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses sign-ins from a locked-out account or address before the password is checked.
    "tower.tenancy.signin.ThrottlingBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "tower.urls"
WSGI_APPLICATION = "tower.wsgi.application"

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
                "tower.menu.main_menu",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "tower.sqlite3",
            # Keep each thread's connection (and its page cache) between requests instead of
            # reconnecting and re-running the pragmas below on every request.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets the web app read while an import writes; NORMAL is durable in WAL mode
                # except for the last transactions on power loss, the usual trade-off.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA cache_size=-131072;"
                ),
                "transaction_mode": "IMMEDIATE",
                # The ORM converts dates itself; sqlite3's own per-value converters would only
                # slow down the set-based reads in tower.bulk (several times over on 1M rows).
                "detect_types": 0,
            },
            "TEST": {"NAME": DATA_DIR / "test.sqlite3"}
            if envbool("TOWER_TEST_SQLITE_FILE")
            else {},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's four validators, used by the password change and reset pages and `tower user add`.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# The app serves static files from the package through the finders; STATIC_ROOT only exists
# after `tower collectstatic`, so WhiteNoise's warning about it missing is noise.
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "performance:dashboard"
LOGOUT_REDIRECT_URL = "login"
# Sessions end when the browser closes and after 8 hours of inactivity at the latest.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Behind HTTPS (a reverse proxy that sets X-Forwarded-Proto): cookies only over HTTPS.
# HSTS: browsers that saw the site over HTTPS refuse plain HTTP to it for a year. Subdomains and
# preload are opt-in: they bind every host of the domain, which only its owner can promise.
if envbool("TOWER_HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("TOWER_HSTS_SECONDS", 365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("TOWER_HSTS_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = envbool("TOWER_HSTS_PRELOAD")
# The app has no inline script nor style (tests/web/test_csp.py checks every page):
# everything comes from our own static files; charts are drawn by charts.js from JSON data blocks.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failures for one account (from any
# address) or from one address (for any account), sign-ins are refused for the cool-off period.
# A successful sign-in resets nothing, so an attacker cannot clear a counter by signing in to an
# account of their own from elsewhere; counters lapse after the cool-off. Admins see and clear
# lockouts in /admin/ (Axes) or with `tower axes_reset_username NAME` / `tower axes_reset`.
AXES_FAILURE_LIMIT = int(os.environ.get("TOWER_SIGNIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("TOWER_SIGNIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "tower.tenancy.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "tower.tenancy.signin.client_address"
# Behind the HTTPS proxy the peer is the proxy: the client's address is the one the proxy appended
# to X-Forwarded-For (TOWER_PROXY_HOPS proxies in a row; earlier entries can be forged).
TOWER_PROXY_HOPS = int(os.environ.get("TOWER_PROXY_HOPS", 1 if envbool("TOWER_HTTPS") else 0))
AXES_VERBOSE = False
# Password-reset requests per hour, counted per address and per e-mail (tower/tenancy/reset.py).
TOWER_RESET_LIMIT = int(os.environ.get("TOWER_RESET_LIMIT", 5))

TOWER_REQUIRE_2FA_FOR_ADMINS = envbool("TOWER_REQUIRE_2FA_FOR_ADMINS")
OTP_TOTP_ISSUER = "CMO Control Tower"

# Password-reset mail: SMTP when configured, else one file per message in DATA_DIR/mail (the demo).
if os.environ.get("TOWER_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["TOWER_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("TOWER_EMAIL_PORT", 25))
    EMAIL_HOST_USER = os.environ.get("TOWER_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("TOWER_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = envbool("TOWER_EMAIL_TLS")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("TOWER_EMAIL_FROM", "tower@localhost")
# The address of the web app as the mail's readers reach it (links in delay notices).
TOWER_BASE_URL = os.environ.get("TOWER_BASE_URL", "http://127.0.0.1:8000")
# Webhooks (tower.webhooks.services): "1" lets endpoints be loopback, private or link-local
# addresses (receivers inside the CMO's network; the tests' receiver on 127.0.0.1). Off, the
# tower posts only to public addresses, checked on the address it connects to (SSRF guard).
TOWER_WEBHOOK_ALLOW_PRIVATE = os.environ.get("TOWER_WEBHOOK_ALLOW_PRIVATE", "") == "1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Jobs: the Huey worker (`tower worker`) ------------------------------------------------------
# Long work (a line exclusion re-evaluates the whole client, closing a month, proposing a cause
# for every matching line, large exports, the daily recompute) runs in the worker, not in the
# request; tower.jobs records each job for its page.
#   TOWER_REDIS_URL        e.g. redis://127.0.0.1:6379/0: the queue in Redis (a team, several
#                          servers); unset: a SQLite file `jobs.sqlite3` in the data folder
#   TOWER_WORKER_THREADS   jobs the worker runs at once [2]
#   TOWER_JOBS_PER_USER    unfinished jobs one user may have at once [3]
#   TOWER_EXPORT_INLINE_LINES  a lines XLSX up to this many lines is made in the request [5000]
#   TOWER_JOB_FILES_DAYS   days a job's download is kept before the worker deletes it [7]
INSTALLED_APPS += ["huey.contrib.djhuey", "tower.jobs"]
TOWER_REDIS_URL = os.environ.get("TOWER_REDIS_URL", "").strip()
HUEY = {
    "name": "tower",
    # Tests switch it on (tests/conftest.py); run jobs in the request only there.
    "immediate": False,
    "utc": True,
    "consumer": {
        "workers": int(os.environ.get("TOWER_WORKER_THREADS", "2")),
        "worker_type": "thread",
        # The daily recompute is a periodic task of the worker's scheduler.
        "periodic": True,
        "check_worker_health": True,
    },
    **(
        {"huey_class": "huey.RedisHuey", "url": TOWER_REDIS_URL}
        if TOWER_REDIS_URL
        # Opened on first use, so loading Django creates no file (tower/jobs/queue.py).
        else {
            "huey_class": "tower.jobs.queue.LazySqliteHuey",
            "filename": str(DATA_DIR / "jobs.sqlite3"),
        }
    ),
}
JOBS_PER_USER = int(os.environ.get("TOWER_JOBS_PER_USER", "3"))
EXPORT_INLINE_LINES = int(os.environ.get("TOWER_EXPORT_INLINE_LINES", "5000"))
JOBS_DIR = DATA_DIR / "jobs"
JOB_FILES_DAYS = max(1, min(365, int(os.environ.get("TOWER_JOB_FILES_DAYS", "7"))))
