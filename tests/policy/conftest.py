from __future__ import annotations

import pytest

from . import sample_rules


@pytest.fixture
def sample_rule():
    """The throw-away rule TST-1 registered for one test."""
    sample_rules.install()
    yield sample_rules.SampleReminder
    sample_rules.uninstall()
