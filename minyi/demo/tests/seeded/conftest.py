"""The whole demo, seeded once for every test of this package (the most expensive fixture of the suite:
13,000+ appeals, 110,000 visits, 4,700 members), then rolled back.

Each test runs inside its own savepoint on top of it (pytest-django), so what one test writes is gone
before the next. Tests of this package never open a transaction of their own (no ``transaction=True``
and no live server): they would see through the fixture's open transaction. Under pytest-xdist the
package's modules carry one ``xdist_group`` mark, so one process seeds and runs them all (`--dist
loadgroup`, scripts/check.sh).
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="package")
def seeded(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """What ``manage.py seed_demo`` printed while loading the demo (default scale) for this package.
    Its model files and evidence uploads go to a temporary folder, not the checkout's var/."""
    var = Path(tmp_path_factory.mktemp("demo-var"))
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(DEBUG=True, VAR_DIR=var, MEDIA_ROOT=var / "media"),
    ):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
