"""Production settings: everything secret or environment-specific must come from the environment."""

from .base import *  # noqa: F403
from .base import env, mailer_from_url

SECRET_KEY = env.str("SECRET_KEY")
DEBUG = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production sends real mail: an SMTP server from EMAIL_URL (Django's old default, localhost:25, otherwise).
MAILERS = {"default": mailer_from_url(env.str("EMAIL_URL", default="smtp://localhost:25"))}
