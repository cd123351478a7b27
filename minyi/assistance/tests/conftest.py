from __future__ import annotations

import pytest

from minyi.assistance.tests.fixtures import Assist, build
from minyi.testing import Actors


@pytest.fixture
def assist(actors: Actors, settings: pytest.FixtureRequest, tmp_path: object) -> Assist:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    return build(actors)
