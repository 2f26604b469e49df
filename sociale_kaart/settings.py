"""Settings for Sociale Kaart.

One file for every environment: whatever differs per deployment comes from an
environment variable, with safe defaults for trying the site out (SQLite, DEBUG off
unless asked). The README lists every variable.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable, "
            "or DEBUG=1 for local development only."
        )
    SECRET_KEY = "django-insecure-development-only-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "sociale_kaart.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "django_htmx",
    "corsheaders",
    "services",
    "services.catalogue",
    "services.curation",
    "services.api",
    "coalitions",
    "phonedesk",
    "sociale_kaart",
]

MIDDLEWARE = [
    "sociale_kaart.middleware.TrustedProxyMiddleware",
    # Before anything that can answer (CommonMiddleware, WhiteNoise): preflights and errors
    # of the open-data API carry the CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Compressed HTML (the catalogue page is 84 KB, about 15 KB gzipped). CSRF tokens are
    # masked per response, which keeps BREACH-style guessing from working.
    "django.middleware.gzip.GZipMiddleware",
    "sociale_kaart.middleware.SecurityHeadersMiddleware",
    "sociale_kaart.middleware.RequestSanityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sociale_kaart.middleware.IdleSessionMiddleware",
    # LocaleMiddleware, minus Accept-Language: Dutch unless the visitor chose English.
    "sociale_kaart.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Whole anonymous public pages from the shared cache, CSRF token and CSP nonce filled in
    # per request (inside CSRF, messages and CSP, so they still run on every answer).
    "sociale_kaart.pagecache.PageCacheMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sociale_kaart.middleware.MethodNotAllowedPageMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sociale_kaart.urls"
WSGI_APPLICATION = "sociale_kaart.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "services.catalogue.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Typo tolerance: "luistrelijn" scores 0.5 against "luisterlijn"; pg_trgm's default is 0.6.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c pg_trgm.word_similarity_threshold=0.45"
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite and keep files locked in tests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# A streaming read replica for the public pages (sociale_kaart/replica.py): GET requests to
# these URL namespaces from visitors who are not staff read from it while it is current.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
REPLICA_NAMESPACES = ["services", "coalitions", "hsds_api"]
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    if "OPTIONS" in DATABASES["default"]:
        DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"]["OPTIONS"])
    # Tests read the replica's alias from the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["sociale_kaart.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "sociale_kaart.replica.ReplicaMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff logins. django-axes counts failed logins in the database (so the count holds across
# workers and servers) and its backend comes first: a locked-out account or address is
# refused before the password hash is computed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
# Each alone: five failures lock the account (from anywhere) and the address (for any account).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_CLIENT_IP_CALLABLE = "sociale_kaart.middleware.client_ip"
# Successful logins are not logged: the failures are all a lockout needs.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or networks);
# give gunicorn the same list as --forwarded-allow-ips.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Staff sessions end after 30 minutes without a request and when the browser closes
# (desk computers are shared); visitors of the catalogue have no session at all.
# (sociale_kaart.middleware.IdleSessionMiddleware renews the expiry while they work.)
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Curators and administrators must log in with a TOTP code (services.logins). Deliberately
# not an environment variable: only the test settings turn it off, for tests about other things.
SECOND_FACTOR_REQUIRED = True
# The admin never shows a TOTP secret or its QR code again after set-up.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_ISSUER = os.environ.get("SITE_NAME", "Sociale Kaart")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
# Each language is named in its own language in the switch, so it is not translated.
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if env_bool("TESTING_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and runserver serve files straight from the finders; production uses the manifest.
WHITENOISE_USE_FINDERS = DEBUG or env_bool("TESTING_PLAIN_STATIC")

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
CSRF_FAILURE_VIEW = "sociale_kaart.views.csrf_failure"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS"),
        # A mail server that does not answer must not hold a web worker for long.
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "10")),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sociale-kaart@example.org")

# One cache shared by every worker and every app server: it holds cached catalogue pages and
# counts, the catalogue's versions (services/versions.py) and rate-limit counters, so it must
# never be per-process memory. CACHE_URL=redis://host:6379/1 uses Redis (Django's own backend);
# without it, a table in the database (`manage.py createcachetable`, run next to migrate) is
# shared by every worker of the machines using that database.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
# How long a whole anonymous public page may be served from the cache (sociale_kaart/
# pagecache.py; the catalogue versions end it sooner). 0 turns the page cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "sociale_kaart.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "sk"),
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(
        "CACHE_URL must start with redis://, rediss:// or unix://; leave it empty for the "
        "database cache."
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "sociale_kaart_cache",
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "sk"),
            # The table is culled when it holds this many entries (a third goes each time).
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Security headers. HTTPS-only settings are switched on by SECURE_SSL=1 behind TLS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL = env_bool("SECURE_SSL")
# Only ever read after TrustedProxyMiddleware, which drops the header from anyone but a proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
if SECURE_SSL:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Every cookie the site sets itself (gemeente, mijnlijst, vergelijk...) follows this too.
    COOKIES_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list is the domain owner's decision (it binds every
        # subdomain of the registrable domain, for months); HSTS_PRELOAD=1 opts in.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
else:
    COOKIES_SECURE = False
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF, "mailto:"],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The product's own settings.
SITE_NAME = os.environ.get("SITE_NAME", "Sociale Kaart")
HELPLINE_PHONE = os.environ.get("HELPLINE_PHONE", "0123 456 789")
# The default is translated (lazily); hours set in the environment are shown as written.
HELPLINE_HOURS = os.environ.get("HELPLINE_HOURS") or _(
    "maandag tot en met vrijdag van 9.00 tot 17.00 uur"
)
DEFAULT_MUNICIPALITY = os.environ.get("DEFAULT_MUNICIPALITY", "voorbeeldstad")
VERIFICATION_OVERDUE_MONTHS = int(os.environ.get("VERIFICATION_OVERDUE_MONTHS", "12"))
VERIFICATION_LINK_DAYS = int(os.environ.get("VERIFICATION_LINK_DAYS", "30"))
# The OpenTaal Hunspell word list (Debian's hunspell-nl): which search words are ordinary
# Dutch words that may be counted by name (phonedesk.terms). Missing: catalogue words only.
DUTCH_DICTIONARY = os.environ.get("DUTCH_DICTIONARY", "/usr/share/hunspell/nl.dic")
# The site's own address, for links in e-mails sent without a request (cron reminders).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Open data: the HSDS 3.0 / Open Referral UK read API (services/api, issue 11).
HSDS_API_PREFIX = os.environ.get("HSDS_API_PREFIX", "api/hsds/").strip("/") + "/"
# At most this many requests per window (seconds) from one address, counted in this cache.
HSDS_API_RATE = (int(os.environ.get("HSDS_API_RATE", "600")), 60)
HSDS_API_CACHE = "default"
HSDS_API_MAX_AGE = int(os.environ.get("HSDS_API_MAX_AGE", "300"))
# The feed's assurer_email: the curators' team address. Empty: no address is published (the
# feed never names the personal e-mail of the curator who checked a service).
HSDS_ASSURER_EMAIL = os.environ.get("HSDS_ASSURER_EMAIL", "").strip()
# CORS only for the API: anyone may read it from a browser, without credentials.
CORS_URLS_REGEX = rf"^/{HSDS_API_PREFIX}.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
