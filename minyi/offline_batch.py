"""What became of a batch of records captured offline and synced later (study attendance, visits): the
same answer shape for every kind, so the offline page reads one format. Each rule that takes such a
batch (``study.rules.record_attendance_batch``, ``outreach.rules.record_visits_batch``) keeps the valid
records, counts a record sent twice once, and reports the others one by one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class BatchProblem:
    """One record of a batch that was not kept, and why."""

    index: int
    uid: str
    message: str


@dataclass
class BatchResult:
    """What became of each record of a batch: kept, already there (counted once), refused, in conflict."""

    recorded: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    errors: list[BatchProblem] = field(default_factory=list)
    conflicts: list[BatchProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "recorded": self.recorded,
            "already": self.already,
            "errors": [vars(p) for p in self.errors],
            "conflicts": [vars(p) for p in self.conflicts],
        }
