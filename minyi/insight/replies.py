"""The reply check: before a unit head approves a reply, score it for relevance to the appeal,
completeness (what was found, what was or will be done, by whom, by when) and the basis it explains
(a rule, a policy, a fact), and name what is missing. Pure Python (no database), so the same scorer
serves the approval panel and `manage.py insight replies --csv FILE` on a file of real replies.

Scores (0–100 overall):
- relevance (0–1): cosine similarity of the character bigrams of the appeal (title counted twice) and the
  reply, after the reply's greeting, thanks and quotations of the appeal's title are removed (a reply that
  only repeats the title is not relevant); a cosine of RELEVANT_COSINE or more counts as 1;
- completeness (0–1): the share of the four elements found (finding, action, responsible party, time);
- basis (0, 0.5 or 1): 1 for a rule or policy named (根据/依据/按照, 《…》, 规定, 第…条 …), 0.5 for facts only
  (figures with units), 0 for neither;
- overall = 100 × (0.35 relevance + 0.45 completeness + 0.20 basis). A reply is weak below WEAK_BELOW or
  when it hardly touches the appeal; each missing element is named either way.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import chinese_calendar
from django.utils.translation import gettext_lazy as _

RELEVANT_COSINE = 0.35
WEAK_BELOW = 50
SHORT_REPLY = 60  # characters
WEIGHTS = {"relevance": 0.35, "completeness": 0.45, "basis": 0.20}

#: Verbs of work done or planned (the "action" element is one of them after 已/将/正在/要求 …).
VERBS = (
    "完成|实现|补齐|补发|安排|责成|督促|协调|处理|整改|修复|维修|清理|拆除|查处|立案|约谈|下发|开展|落实|解决|"
    "更换|恢复|办理|发放|退还|纳入|启动|组织|转交|制定|采取|建立|出台|实施|推进|改造|建设|施工|治理|调整|规范|"
    "加强|取缔|关停|处罚|联系|核实|查看|检查|疏通|铺设|安装|拨付|审批|受理|移交|通知|告知"
)
ELEMENTS: dict[str, re.Pattern[str]] = {
    "finding": re.compile(
        r"经(?:核实|核查|调查|查|了解|现场查看|实地查看)|调查核实|现场(?:查看|核查|勘查)|实地(?:查看|调查)|"
        r"情况(?:属实|如下)|反映(?:的问题|情况)?(?:属实|不属实|部分属实)|核查发现|了解到"
    ),
    "action": re.compile(
        rf"(?:已经?|将|正在|已于|目前已|并)[^，。；！？]{{0,10}}?(?:{VERBS})|要求[^，。；]{{0,15}}(?:{VERBS})|"
        rf"(?:{VERBS})了|予以(?:{VERBS})|下一步|责令"
    ),
    "actor": re.compile(
        r"[\u4e00-\u9fa5A-Z0-9]{1,12}(?:局|委员会|委|办公室|办|厅|中心|公司|街道|社区|镇政府|镇|乡|村委会|居委会|"
        r"派出所|分局|大队|支队|所|站|学校|医院|物业|管委会|指挥部)"
    ),
    "time": re.compile(
        r"\d{4}年|\d{1,2}月\d{1,2}日|\d{1,2}月(?:底|初|中旬|上旬|下旬)|年底|月底|年内|"
        r"\d+个?(?:工作日|日|天|周|星期|月)(?:内|之内)|本周|下周|近日|目前已"
    ),
}
RULE_BASIS = re.compile(
    r"根据|依据|按照|依照|《[^》]{2,40}》|规定|条例|办法|政策|文件精神|第[一二三四五六七八九十百零\d]+条|标准"
)
FACT_BASIS = re.compile(r"\d+(?:\.\d+)?\s*(?:元|万元|亿元|米|公里|平方米|亩|户|人|名|吨|盏|处|个|件|次|%|％)")
# Courtesy that every reply carries and that says nothing about the appeal.
BOILERPLATE = re.compile(
    r"您好|你好|网友|感谢您?(?:对我们工作)?的?(?:信任|支持|关注|理解)(?:和(?:信任|支持|关注|理解))?|"
    r"现将.{0,40}?(?:答复|回复)如下|(?:答复|回复)如下|特此(?:回复|答复)|已收悉|留言|来信|问政西地省|平台|栏目"
)
QUOTED = re.compile(r"[“\"「]([^”\"」]{4,80})[”\"」]")

FLAG_TEXT = {
    "short": _("The reply is very short."),
    "relevance": _("The reply hardly touches what the appeal is about."),
    "finding": _("It does not say what was found."),
    "action": _("It does not say what was or will be done."),
    "actor": _("It does not say who is responsible."),
    "time": _("It gives no date or time limit."),
    "basis": _("It does not explain its basis (a rule, a policy or a fact)."),
}


@dataclass(frozen=True)
class ReplyScore:
    relevance: float
    completeness: float
    basis: float
    overall: int
    elements: dict[str, bool] = field(default_factory=dict)
    flags: tuple[str, ...] = ()  # keys of FLAG_TEXT, most serious first

    @property
    def weak(self) -> bool:
        return self.overall < WEAK_BELOW or "relevance" in self.flags

    def reasons(self) -> list[str]:
        """What is missing, in the user's language."""
        return [str(FLAG_TEXT[key]) for key in self.flags]

    def describe(self) -> str:
        """One paragraph for the unit head who approves the reply."""
        text = (_("Weak reply: %(score)d of 100") if self.weak else _("Reply check: %(score)d of 100")) % {
            "score": self.overall
        }
        shares = {"r": self.relevance, "c": self.completeness, "b": self.basis}
        text += str(_(" (relevance %(r)d%%, completeness %(c)d%%, basis %(b)d%%).")) % {
            key: round(100 * value) for key, value in shares.items()
        }
        return " ".join([text, *self.reasons()])


def _bigrams(text: str) -> Counter[str]:
    chars = [c for c in text if not c.isspace() and c not in "，。、；：！？,.;:!?（）()“”\"'《》-—…"]
    return Counter(a + b for a, b in itertools.pairwise(chars))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(n * b[k] for k, n in a.items() if k in b)
    return dot / (math.sqrt(sum(n * n for n in a.values())) * math.sqrt(sum(n * n for n in b.values())))


def _substance(reply: str, title: str) -> str:
    """The reply without courtesy and without quotations that merely repeat the appeal's title."""
    title_grams = _bigrams(title)

    def unquote(match: re.Match[str]) -> str:
        return "" if _cosine(_bigrams(match.group(1)), title_grams) > 0.6 else match.group(0)

    return BOILERPLATE.sub("", QUOTED.sub(unquote, reply))


def score_reply(title: str, body: str, reply: str) -> ReplyScore:
    """Score one reply to the appeal (title, body)."""
    substance = _substance(reply, title)
    appeal = _bigrams(f"{title}{title}{body}")
    relevance = min(1.0, _cosine(appeal, _bigrams(substance)) / RELEVANT_COSINE)
    elements = {name: bool(pattern.search(substance)) for name, pattern in ELEMENTS.items()}
    completeness = sum(elements.values()) / len(elements)
    basis = 1.0 if RULE_BASIS.search(substance) else 0.5 if FACT_BASIS.search(substance) else 0.0
    overall = round(
        100
        * (
            WEIGHTS["relevance"] * relevance
            + WEIGHTS["completeness"] * completeness
            + WEIGHTS["basis"] * basis
        )
    )
    flags = []
    if len(substance.strip()) < SHORT_REPLY:
        flags.append("short")
    if relevance < 0.3:
        flags.append("relevance")
    flags += [name for name in ("action", "finding", "actor", "time") if not elements[name]]
    if basis == 0.0:
        flags.append("basis")
    return ReplyScore(round(relevance, 3), round(completeness, 3), basis, overall, elements, tuple(flags))


# --- the report on a file of real replies (manage.py insight replies) ------------------------------


def working_days(start: dt.date, end: dt.date) -> int | None:
    """Working days from the day after ``start`` to ``end``, by the official calendar (None when the
    calendar does not know those years)."""
    days, day = 0, start
    try:
        while day < end:
            day += dt.timedelta(days=1)
            days += chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None
    return days


def _quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"min": ordered[0], "p10": at(0.1), "p25": at(0.25), "median": at(0.5), "p75": at(0.75),
            "p90": at(0.9), "max": ordered[-1], "mean": round(sum(ordered) / len(ordered), 1)}  # fmt: skip


def report(path: str, *, examples: int = 10) -> dict[str, object]:
    """Scores and response times of a CSV of replies (id, title, body, reply, received_at, replied_at)."""
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if not (row.get("reply") or "").strip():
                continue
            score = score_reply(row.get("title", ""), row.get("body", ""), row["reply"])
            days = None
            try:
                received = dt.date.fromisoformat(row["received_at"][:10])  # local times, as written
                replied = dt.date.fromisoformat(row["replied_at"][:10])
                days = working_days(received, replied)
            except (KeyError, ValueError):
                pass
            rows.append((row, score, days))
    overall = [float(s.overall) for _r, s, _d in rows]
    histogram = Counter(min(90, int(v) // 10 * 10) for v in overall)
    flags = Counter(flag for _r, s, _d in rows for flag in s.flags)
    waits = [float(d) for _r, _s, d in rows if d is not None]

    def sample(chosen: list[tuple[dict[str, str], ReplyScore, int | None]]) -> list[dict[str, object]]:
        return [
            {"id": row.get("id"), "title": row.get("title"), "overall": s.overall, "relevance": s.relevance,
             "completeness": s.completeness, "basis": s.basis, "flags": list(s.flags),
             "reply": re.sub(r"\s+", " ", row["reply"])[:160]}
            for row, s, _d in chosen
        ]  # fmt: skip

    ranked = sorted(rows, key=lambda item: (item[1].overall, str(item[0].get("id"))))
    return {
        "replies": len(rows),
        "overall": _quantiles(overall),
        "histogram": {
            f"{low}-{low + 9 if low < 90 else 100}": histogram.get(low, 0) for low in range(0, 100, 10)
        },
        "weak": sum(s.weak for _r, s, _d in rows),
        "flags": dict(flags.most_common()),
        "elements_found": {name: sum(s.elements[name] for _r, s, _d in rows) for name in ELEMENTS},
        "response_working_days": {
            **_quantiles(waits),
            "within_15": sum(w <= 15 for w in waits),
            "over_30": sum(w > 30 for w in waits),
        },
        "weakest": sample(ranked[:examples]),
        "strongest": sample(ranked[-examples:][::-1]),
    }
