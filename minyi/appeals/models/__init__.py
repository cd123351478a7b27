"""The appeals app's records, one module per part; import them from here.

``appeal`` holds the loop (categories, SLA rules, appeals, assignments, replies, follow-ups, events)
and ``echo`` the echo wall, which points at the loop's rows and is never pointed at by them, so the
imports run one way only.
"""

from minyi.appeals.models.appeal import (
    Appeal,
    AppealEvent,
    Assignment,
    Attachment,
    Category,
    Extension,
    Followup,
    IdempotencyRecord,
    Pause,
    Reply,
    SlaRule,
)
from minyi.appeals.models.echo import EchoEntry
from minyi.appeals.models.wechat import WechatMessage

__all__ = [
    "Appeal",
    "AppealEvent",
    "Assignment",
    "Attachment",
    "Category",
    "EchoEntry",
    "Extension",
    "Followup",
    "IdempotencyRecord",
    "Pause",
    "Reply",
    "SlaRule",
    "WechatMessage",
]
