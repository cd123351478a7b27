"""The reply check: before a unit head approves a reply, score it for relevance to the appeal,
completeness (what was found, what was or will be done, by whom, by when) and the basis it explains
(a rule, a policy, a fact), and name what is missing. Pure Python (no database), so the same scorer
serves the approval panel and `manage.py insight replies --csv FILE` on a file of real replies.

Scores (0–100 overall):
- relevance (0–1): cosine similarity of the character bigrams of the appeal (title counted twice) and the
  reply, after the reply's greeting, thanks and quotations of the appeal's title are removed (a reply that
  only repeats the title is not relevant); a cosine of RELEVANT_COSINE or more counts as 1;
- completeness (0–1): the share of the four elements found (finding, action, responsible party, time);
- basis (0, 0.5 or 1): 1 for a rule, policy, document or plan named (根据…规定, 《…办法》, 第…条 …), 0.5 for
  facts only (figures with units), 0 for neither;
- overall = 100 × (0.35 relevance + 0.45 completeness + 0.20 basis). A reply is weak below WEAK_BELOW or
  when it hardly touches the appeal; each missing element is named either way.

The patterns of the five elements were written from real replies labelled by hand
(minyi/insight/tests/reply_labels.csv: set "rules", then "check", measured on "fresh"):
``manage.py insight reply-labels --csv messages-with-replies.csv`` prints precision and recall of
"missing" per element (docs/reply-check.md). They lean towards "present": a flag the reader can see is
wrong costs more trust than a gap left unflagged.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chinese_calendar
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

RELEVANT_COSINE = 0.35
WEAK_BELOW = 50
SHORT_REPLY = 60  # characters
WEIGHTS = {"relevance": 0.35, "completeness": 0.45, "basis": 0.20}

#: Verbs of work done or planned (the "action" element is one of them after 已/将/正在/要求 …).
VERBS = (
    "完成|实现|补齐|补发|安排|责成|督促|协调|处理|整改|修复|维修|清理|拆除|查处|立案|约谈|下发|开展|落实|解决|"
    "更换|恢复|办理|发放|退还|纳入|启动|组织|转交|制定|采取|建立|出台|实施|推进|改造|建设|施工|治理|调整|规范|"
    "加强|取缔|关停|处罚|联系|疏通|铺设|安装|拨付|审批|受理|移交|通知|告知|考虑|研究|上报|汇报|"
    "反映|收集|设置|增设|派驻|值守|巡查|封闭|停产|责令|召开|签订|拓宽|硬化|清运|调配|招募|申报|优化|完善|审查|"
    "更新|设计|论证|启用|开通|督办|跟踪|监管|核查|答复|回复|配合|要求|提出|下达|调剂|承诺|表态|公布|公示|"
    "成立|协商|沟通|宣传|劝导|整顿|罚款|扣除|决定|设定|实行|执行|核处|办复"
)
#: A named unit, company or office; the generic "有关部门" names nobody and is left out (below).
UNIT = (
    r"(?:[\u4e00-\u9fa5A-Za-z0-9]{1,14}?(?:局|委员会|委|办公室|办事处|办|厅|中心|公司|集团|街道|社区|政府|镇|乡|"
    r"村委会|居委会|村|组|派出所|分局|大队|中队|支队|所|站|学校|中学|小学|幼儿园|医院|物业|管委会|指挥部|部|处|科|"
    r"业委会|开发商|部门|单位|小组|法院|银行|机关|厂|工作人员|执法人员|管理人员|民警|队员|负责人|领导)|"
    r"(?:学校|公司|物业|开发商|街道|社区|政府|派出所|指挥部|业委会|工作人员|执法人员|民警|交警|城管|负责人)|"
    r"我(?:局|办|委|厅|处|科|街道|镇|乡|县|区|市|司|校|院|中心|所|站|队|部|单位))"
)
#: Looking into the matter is not yet doing something about it (the "action" element).
INQUIRY = re.compile(r"调查|核实|核查|了解|查看|检查|勘查|踏勘|走访|摸底")
#: Advice to the citizen ("建议您…", "您可…") is not the office's action.
ADVICE = re.compile(r"建议|请您|请你|您可|你可|可以|可向|可到|可凭|应当|须|需")
INQUIRY_ONLY = re.compile(r"(?:已经?|立即|马上|及时|积极|并)?(?:安排|组织|派|要求|进行了?)")
GENERIC_UNIT = re.compile(r"(?:有关|相关|职能|主管|上级|其他|哪个|各|本)(?:部门|单位|人员)")
#: A named unit that does the work or answers for it: a verb of work after it, or 由/交/转/向 … before it.
ACTOR = re.compile(
    rf"(?:由(?!于)|交由|责成|要求|督促|转交?|转至|交给?|下达给|移交|报请?|向|联系|致电|咨询|委托)"
    rf"(?!有关|相关){UNIT}|"
    rf"{UNIT}(?:[^，。；！？]{{0,6}}?)(?:已|将|正在|会|于|对|立即|组织|要求|负责|牵头|安排|进行|派|表示|承诺|"
    rf"联合|协调|督促|积极|加强|现已|在|同意|决定|认为|经|按|根据|依|审核|批准|给予|予以|管理|主管|办理|受理|"
    rf"实施|处理|调查|核实|核查|查处|开展|完成|接到|收到|认定|确定|制定|领取|申请|发放|出具|答复|回复|审批)|"
    rf"(?:到|至|去){UNIT}[^，。；！？]{{0,8}}?(?:咨询|办理|申请|反映|领取|查询|申报)"
)
ELEMENTS: dict[str, re.Pattern[str]] = {
    # What was found, its cause or its state now (经查/据了解/属实/不存在/目前/位于/由于 …).
    "finding": re.compile(
        r"经(?:过)?(?:核实|核查|调查|查|了解|排查|检查|测试|踏勘|勘察|现场|实地|研究|审核|鉴定|监测|分析)|"
        r"据(?:查|了解|悉|核实)|调查(?:核实|了解|发现|情况|结论)|现场(?:查看|核查|勘查|检查)|实地(?:查看|调查|走访)|"
        r"发现|属实|不属实|不存在|确实|情况如下|基本情况|了解到|得知|"
        r"目前|现[已在正有阶]|已在|至今|尚未|暂未|暂无|仍[在然处需]|正在|位于|坐落|地处|属于|不属|存在|"
        r"[只仅共现]有|有\d+|由于|因为|原因|导致|造成|是由|由[\u4e00-\u9fa5]{1,12}负责|没有|并无|并未|均已|"
        r"严重|紧张|不足|短缺|误会|(?:我[市县区镇乡]|该[\u4e00-\u9fa5]{0,6}|此[\u4e00-\u9fa5]{0,4})属|"
        r"已[经于]?(?:建成|完工|开通|完成|办理|投入)"
    ),
    "action": re.compile(
        rf"(?:已经?|将|正在|已于|目前已|并(?![无未不非没])|将会|也会|还会|会[将及尽加认在]|拟|要|立即|马上|及时|积极|"
        rf"逐步|继续|进一步|进行了|力争|争取|确保)"
        rf"[^，。；！？]{{0,14}}?(?:{VERBS})|要求[^，。；]{{0,15}}(?:{VERBS})|(?:{VERBS})了|予以(?:{VERBS})|"
        r"下一步|今后|后期|责令|[去发致]函|函告|"
        # Handed on to the unit that acts (已转/已交/转交 … 调查/处理/办理/核处/办复/答复).
        r"(?:已|并|现)?(?:转|交|转交|转至|交由|移交|下达给|转给)[^，。；！？]{0,16}?"
        r"(?:调查|处理|办理|核处|办复|答复|核实|反馈|落实|研究)|已(?:于[^，。；！？]{0,14})?(?:转|交|转交|转至)[^，。；！？]{1,16}"
        r"(?:局|部门|单位|政府|公司|委|办|院|所|站|中心)"
    ),
    "actor": ACTOR,
    # A date, a period, hours or a time limit (the reply's own signing date is cut off before; _substance).
    "time": re.compile(
        r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月(?:份|底|初|中旬|上旬|下旬|起|前|内|开始|至)|"
        r"[今去明前]年|年[底内初中]|上半年|下半年|本月|下月|当月|次月|本周|下周|月底|春节|寒假|暑假|学期|"
        r"\d{1,2}[:：]\d{2}|\d{1,2}\s*(?:点|时)(?:\d{1,2}分?|半|左右|前|后|至|起)?(?=[^\d\s号栋楼层户人]|$)|"
        r"[上下中]午|凌晨|晚上|夜间|早上|每[日天周月年]|早晚|周[一二三四五六日末]|星期[一二三四五六日天]|"
        r"(?:上学|放学|上下学|上下班|高峰)时段|"
        r"\d+\s*个?(?:工作日|日|天|周|星期|月|年)(?:内|之内|以内|后|左右)|近[一二三两几\d]+[年月天]|近年来|一年来|"
        r"[一二两三四五六七八九十]+[个]?(?:工作日|天|月)(?:内|之内)|期间|过渡期"
    ),
    # The rule it rests on: a law, regulation, policy, document or plan (facts alone are not a basis here).
    "basis": re.compile(
        r"(?:根据|依据|按照|依照|参照|遵照|按|依|符合|不符合|违反|执行)[^，。；！？]{0,30}?"
        r"(?:规定|法律|法规|条例|办法|细则|政策|文件|精神|标准|规范|部署|安排|规划|原则|制度|批复|决定|意见|通知|《)|"
        r"并?(?:无|没有)(?:明确|相关)?的?(?:制度|规定|政策)|"
        r"《[^》]{2,40}(?:法|条例|规定|办法|细则|规则|通知|意见|方案|规划|标准|规范|批复|决定|纲要|规程|令|函)[^》]{0,12}》|"
        r"第[一二三四五六七八九十百零\d]+条|政策(?:规定|依据|要求)|[\(（\[〔【][^）\)\]〕】]{0,12}\d{4}[^）\)\]〕】]{0,6}[）\)\]〕】]\s*\d+\s*号|"
        r"有关规定|相关规定|法律法规|国家标准|未(?:明确)?规定|无(?:相关)?政策"
    ),
}
RULE_BASIS = ELEMENTS["basis"]
#: The elements of completeness (the basis is scored on its own).
COMPLETE = ("finding", "action", "actor", "time")
FACT_BASIS = re.compile(r"\d+(?:\.\d+)?\s*(?:元|万元|亿元|米|公里|平方米|亩|户|人|名|吨|盏|处|个|件|次|%|％)")
# Courtesy that every reply carries and that says nothing about the appeal.
BOILERPLATE = re.compile(
    r"您好|你好|网友|感谢您?(?:对我们工作)?的?(?:信任|支持|关注|理解)(?:和(?:信任|支持|关注|理解))?|"
    r"现将.{0,40}?(?:答复|回复)如下|(?:答复|回复)如下|特此(?:回复|答复)|已收悉|留言|来信|问政西地省|平台|栏目"
)
# The reply's own signing (unit and date) at its end or before the next part of a multi-part reply: it says
# nothing about when anything was or will be done.
SIGNATURE = re.compile(
    r"(?:[\u4e00-\u9fa5A-Z0-9]{2,24}(?:局|办公室|办事处|政府|中心|委员会|公司|学校|网宣中心))?\s*"
    r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[./-]\d{1,2}[./-]\d{1,2}|"
    r"[二〇零○一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)"
    r"(?=\s*(?:$|[“\"]|网友|网民|尊敬|亲爱|来信人|信访人|市民|[A-Za-z]|[\u4e00-\u9fa5“”\"A-Za-z0-9+]{0,12}[：:]|"
    r"您[的好通]|你[的好]|附))"
)
QUOTED = re.compile(r"[“\"「]([^”\"」]{4,80})[”\"」]")

#: The level words shown beside the score (the handler reads a word, not a number).
GOOD_FROM = 75
LEVELS = {
    "good": pgettext_lazy("reply level", "Good"),
    "fair": pgettext_lazy("reply level", "Fair"),
    "weak": pgettext_lazy("reply level", "Needs more"),
}

FLAG_TEXT = {
    "short": _("The reply is very short."),
    "relevance": _("The reply hardly touches what the appeal is about."),
    "finding": _("It does not say what was found."),
    "action": _("It does not say what was or will be done."),
    "actor": _("It does not say who is responsible."),
    "time": _("It gives no date or time limit."),
    "basis": _("It does not name the rule, policy or document it rests on."),
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

    @property
    def level(self) -> str:
        """good, fair or weak: what the handler sees while drafting (a word and a colour, LEVELS)."""
        if self.weak:
            return "weak"
        return "good" if self.overall >= GOOD_FROM else "fair"

    @property
    def level_label(self) -> str:
        return str(LEVELS[self.level])

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
    """The reply without its signing dates, courtesy and quotations that merely repeat the appeal's title."""
    title_grams = _bigrams(title)

    def unquote(match: re.Match[str]) -> str:
        return "" if _cosine(_bigrams(match.group(1)), title_grams) > 0.6 else match.group(0)

    return BOILERPLATE.sub("", QUOTED.sub(unquote, SIGNATURE.sub("", reply.strip())))


def _found(name: str, text: str) -> bool:
    """Whether ``text`` states the element ``name``; "有关部门" and the like name no actor."""
    for match in ELEMENTS[name].finditer(text):
        if name == "actor" and GENERIC_UNIT.search(match.group(0)):
            continue
        if name == "action" and ADVICE.search(re.split(r"[，。；！？：]", text[: match.start()])[-1]):
            continue
        if name == "action" and INQUIRY_ONLY.fullmatch(match.group(0)):
            clause = re.split(r"[，。；！？]", text[match.end() :], maxsplit=1)[0]
            if INQUIRY.search(clause):
                continue
        return True
    return False


def elements_of(reply: str, title: str = "") -> dict[str, bool]:
    """Which of finding, action, actor, time and basis the reply states."""
    substance = _substance(reply, title)
    return {name: _found(name, substance) for name in ELEMENTS}


def score_reply(title: str, body: str, reply: str) -> ReplyScore:
    """Score one reply to the appeal (title, body)."""
    substance = _substance(reply, title)
    appeal = _bigrams(f"{title}{title}{body}")
    relevance = min(1.0, _cosine(appeal, _bigrams(substance)) / RELEVANT_COSINE)
    elements = {name: _found(name, substance) for name in ELEMENTS}
    completeness = sum(elements[name] for name in COMPLETE) / len(COMPLETE)
    basis = 1.0 if elements["basis"] else 0.5 if FACT_BASIS.search(substance) else 0.0
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
    if not elements["basis"]:
        flags.append("basis")
    return ReplyScore(round(relevance, 3), round(completeness, 3), basis, overall, elements, tuple(flags))


# --- the hand-labelled replies (manage.py insight reply-labels) ------------------------------------

LABELS_CSV = Path(__file__).resolve().parent / "tests" / "reply_labels.csv"


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def label_figures(replies_csv: str | Path, labels_csv: str | Path = LABELS_CSV) -> dict[str, Any]:
    """Precision and recall of the check's "missing" (and "present") per element against hand labels
    (id, set, finding, action, actor, time, basis: 1 stated, 0 not), per set and for all labelled rows."""
    with open(replies_csv, encoding="utf-8-sig", newline="") as handle:
        texts = {row["id"]: row for row in csv.DictReader(handle)}
    with open(labels_csv, encoding="utf-8", newline="") as handle:
        labels = [row for row in csv.DictReader(handle) if row["id"] in texts]
    figures: dict[str, Any] = {}
    for part in [*sorted({row["set"] for row in labels}), "all"]:
        rows = [row for row in labels if part in ("all", row["set"])]
        found = [elements_of(texts[row["id"]]["reply"], texts[row["id"]]["title"]) for row in rows]
        per_element: dict[str, Any] = {}
        for name in ELEMENTS:
            pairs = [(row[name] == "1", seen[name]) for row, seen in zip(rows, found, strict=True)]
            missing_both = sum(not truth and not seen for truth, seen in pairs)
            called_missing = sum(not seen for _truth, seen in pairs)
            truly_missing = sum(not truth for truth, _seen in pairs)
            present_both = sum(truth and seen for truth, seen in pairs)
            per_element[name] = {
                "missing": {
                    "precision": _share(missing_both, called_missing),
                    "recall": _share(missing_both, truly_missing),
                    "support": truly_missing,
                },
                "present": {
                    "precision": _share(present_both, len(pairs) - called_missing),
                    "recall": _share(present_both, len(pairs) - truly_missing),
                    "support": len(pairs) - truly_missing,
                },
            }
        figures[part] = {"replies": len(rows), "elements": per_element}
    return figures


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
