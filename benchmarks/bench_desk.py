"""bench desk: the staff desk's menu on the benchmark database (run after bench_appeals_load: a million
appeals). Timed: the menu's queue counts as each role's pages fetch them after loading (/desk/queues/:
待交办, 待审核, 待办理, 已超期, one COUNT each by the lists' own filters), and a staff page with its menu
(the appeal list, whose counts are not waited for), for the demo's dispatcher, handler and unit head
(median and 95th percentile)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import report, setup_django, timed

setup_django()

from django.contrib.auth.models import User
from django.test import Client

from minyi.appeals.models import Appeal

ROLES = ("dispatcher", "handler", "unithead")


def main() -> None:
    figures: dict[str, object] = {"appeals": Appeal.objects.count()}
    for username in ROLES:
        user = User.objects.filter(username=username).first()
        if user is None:
            figures[f"{username}_skipped"] = "no such login in this database"
            continue
        client = Client()
        client.force_login(user)

        def queues(client: Client = client) -> None:
            assert client.get("/desk/queues/").status_code == 200

        def appeal_list(client: Client = client) -> None:
            assert client.get("/appeals/").status_code == 200

        figures[f"{username}_queues"] = timed(queues, repeat=20)
        figures[f"{username}_appeal_list"] = timed(appeal_list, repeat=10)
    report("desk", figures)


if __name__ == "__main__":
    main()
