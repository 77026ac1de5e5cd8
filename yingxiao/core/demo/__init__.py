"""The demo company (``manage.py load_demo``): org chart of seed 000, customers, a year of activities,
and a year of sales, service, telesales, people, marketing and planning written through the services.

``DEMO_LOGINS`` and ``DEMO_PASSWORD`` are plain data, importable without a database (README, browser
tests); the builders live in the submodules and are imported by the command.
"""

from .logins import DEMO_LOGINS, DEMO_PASSWORD, OTHER_STAFF, Login

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "OTHER_STAFF", "Login"]
