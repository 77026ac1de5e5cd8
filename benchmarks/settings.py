"""The project's settings with the fallback URLconf (see ``benchmarks.urls``)."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
