"""Test settings: fast hashing, immediate tasks unless a test asks for a real worker."""

from .base import *  # noqa: F403
from .base import TASKS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {**TASKS, "immediate": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
LANGUAGE_CODE = "zh-hans"

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # A template created with a UTF-8 ctype and pg_trgm (make pg-template), so Chinese is indexed.
    DATABASES["default"]["TEST"] = {"TEMPLATE": env.str("TEST_DB_TEMPLATE", default="template0")}  # noqa: F405


class _NoMigrations(dict):
    """Every app "has no migrations": ``migrate --run-syncdb`` builds the tables from the models."""

    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


if env.bool("TEST_SYNCDB", default=False):  # noqa: F405
    # The real workers' SQLite file (tests/policy/test_workers.py), built like the test database
    # under `pytest --nomigrations`: seconds instead of minutes of migrations.
    MIGRATION_MODULES = _NoMigrations()
