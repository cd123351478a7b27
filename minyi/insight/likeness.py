"""What two appeals share, read from their text: the places they name and the words of their problem.

Pure Python (jieba, no Django, no database), so that the duplicate finder of the inbox and
``manage.py insight duplicates --csv`` read text the same way (docs/duplicates.md):

- ``places``: the names a text gives to a place, an estate, a road, a school or a firm — a run of two
  to eight characters before an ending such as 小区, 村, 路, 学校, 公司 (丽发新城小区, 金鼎村,
  凉塘路), never a run with a function word inside (的, 在, 附近 …) or a generic name (公办幼儿园);
- ``words``: the jieba words of the title (counted twice) and of the body's opening, each weighed by
  how rare it is in Chinese at large (jieba's own IDF table, shipped with jieba: nothing is downloaded),
  without the filler every appeal has (希望, 反映, 问题 …);
- ``problem_likeness``: the cosine of two texts' words *without* the words of the place they share,
  so that two complaints about one estate are not alike merely because both name it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jieba

from minyi.insight.text import MASKED_PLACE, lcut

#: The body's opening states the problem; later paragraphs add history (and cost time).
BODY_CHARS = 200
TITLE_WEIGHT = 2.0
#: Words jieba's table does not know are mostly names (of estates, firms, people): rare, so weighty.
UNKNOWN_WORD_BOOST = 1.2

#: Endings of the name of an area (an estate, a village, a road): its name says where, not what.
#: (Not 街道, 镇 or 乡: a township is too wide to be "the same place".)
_AREA_TEXT = (
    "小区 花园 家园 公寓 大厦 广场 新城 社区 新村 村 组 苑 园 湾 庭 路 街 巷 大道 半岛 公馆 山庄 城 栋 期"
)
AREA_ENDINGS = frozenset(_AREA_TEXT.split())
#: Endings of the name of a body (a school, a plant, a firm): where, and often what (搅拌站, 58车贷公司).
_BODY_TEXT = "中学 小学 幼儿园 学校 医院 市场 厂 工地 站 公司 驾校 集团 大桥"
BODY_ENDINGS = frozenset(_BODY_TEXT.split())
#: Longest first, so that 街道 is read before 街.
PLACE_ENDINGS = tuple(sorted(AREA_ENDINGS | BODY_ENDINGS, key=lambda e: (-len(e), e)))
NAME_MIN, NAME_MAX = 2, 8
#: Villages are often named by one character (东村, 南村); not by these, which say whose or which village.
_NOT_VILLAGE_NAMES = frozenset("本全邻外我该此各每农乡整一")
# A place's name never runs across these: function words, pronouns and the words of a complaint.
_STOP_CHARS = frozenset(
    "去建修办搞装设个条过的了在是与及我们这那该其此对把被从向给让为就都也还又你他她它将由至到或而但并很太最"
    "更已再请望求要想说问找等每各所无不没能会可位于靠近处"
)
# Nor does a name hold these pairs (小区临街, 居民区附近, 业主楼下 …).
_STOP_BITS_TEXT = "有限 附近 旁边 周边 临街 对面 隔壁 居民 业主 小区 门口 楼下 市民 村民"
_STOP_BITS = tuple(_STOP_BITS_TEXT.split())
# Words that open a complaint rather than a name: 投诉丽发新城小区 names 丽发新城小区.
_OPENERS_TEXT = "反映 投诉 关于 举报 咨询 建议 请求 希望 要求 恳请 强烈 坚决 询问 督促"
_OPENERS = tuple(_OPENERS_TEXT.split())
# Names every district has many of: they say what kind of place, not which.
_GENERIC_NAMES_TEXT = (
    "公办 民办 普惠 普惠性 大型 小型 住宅 安置 配套 私立 公立 老旧 新建 附属 有限 物业 开发 自来水 "
    "房地产 建设 投资 科技 实业 网络 发展 置业 垃圾 搅拌 水泥 停车 农贸 菜市 施工 建筑 高速 城际 "
    "人民 市政府 政府 区政府 县政府 国际 文明 中心 服务 公交 地铁 高铁 火车 汽车 农村 城市 城区 老城"
)
_GENERIC_NAMES = frozenset(_GENERIC_NAMES_TEXT.split())
# Kinds of place, not places: every district has them.
_GENERIC_PLACES_TEXT = (
    "幼儿园 托儿所 菜市场 农贸市场 垃圾站 加油站 公交站 地铁站 火车站 派出所 居委会 村委会 "
    "马路 公路 小路 道路 线路 公交线路"
)
_GENERIC_PLACES = frozenset(_GENERIC_PLACES_TEXT.split())
_RUN = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+")
_WORDLIKE = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")
# Filler of appeals and of their politeness: shared by unrelated appeals, so no evidence of a problem.
_STOPWORDS_TEXT = (
    "希望 反映 问题 解决 我们 请求 有关 相关 部门 一下 尽快 已经 没有 这个 非常 政府 群众 请问 领导 情况 "
    "现在 一直 投诉 举报 咨询 关于 建议 要求 是否 什么 为什么 如何 怎么 何时 能否 可以 进行 存在 严重 "
    "导致 影响 居民 业主 市民 小区 尊敬 您好 你好 谢谢 感谢 书记 市长 县长 局长 百忙之中 恳请 强烈 "
    "处理 重视 关注 帮助 呼吁 本人 自己 大家 他们 你们 目前 今年 去年 时候 多次 至今 以来 之前 以后 "
    "这样 那么 但是 因为 所以 而且 如果 还是 就是 不是 只是 一个 这些 那些 其中 以及 或者 市委 "
    "市政府 有限公司 公司 附近 周边 旁边 地方 老百姓 百姓 居住 生活 正常 工作 单位 人员 管理 "
    "合法 违法 违规 不合理 合理 回复 答复 得到 希望政府 恳求 请示 麻烦 真的 特别 已经 还有 有人 "
    # The openings of petition-style letters: "在国家大力倡导…的大背景下，有何具体行动".
    "有何 加快 倡导 地处 行动 具体 背景 大背景 大力 刻不容缓 不知 国家 力度 步伐 全覆盖"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


# What a nuisance does, not what causes it: two complaints sharing only these (噪音 很大 from a building
# site and from a brick kiln) may be two problems; a shared cause (工地, 砖厂, 搅拌站 …) is needed too.
_EFFECT_TEXT = (
    "噪音 噪声 扰民 吵闹 很吵 太吵 很大 太大 巨大 休息 睡觉 入睡 失眠 晚上 夜间 夜里 深夜 半夜 凌晨 通宵 "
    "白天 每天 整天 天天 经常 长期 一直 多年 污染 灰尘 粉尘 扬尘 臭气 臭味 气味 难闻 影响 严重 危害 "
    "健康 身体 安全 隐患 安全隐患 不便 困难 麻烦 无法 不能 苦不堪言 老人 小孩 孩子 居民区 周边 附近"
)
EFFECT_WORDS = frozenset(_EFFECT_TEXT.split())


@cache
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table (shipped in the jieba package) and the weight of a word it does not know."""
    table: dict[str, float] = {}
    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, _, value = line.strip().partition(" ")
            if value:
                table[word] = float(value)
    median = sorted(table.values())[len(table) // 2] if table else 10.0
    return table, median * UNKNOWN_WORD_BOOST


def _unmasked_runs(text: str) -> list[str]:
    """The runs of word characters of ``text``, the masked place codes (A市, A3区) cut out."""
    return _RUN.findall(MASKED_PLACE.sub(" ", text))


def places(text: str) -> frozenset[str]:
    """Every name of a place in ``text`` (each run of NAME_MIN–NAME_MAX name characters before an ending,
    starting where a word starts: 伊景园滨河苑, 滨河苑 …; two texts share a place when they share one)."""
    return frozenset(name for run in _unmasked_runs(text) for name in _run_places(run, lcut(run)))


def _run_places(run: str, tokens: list[str]) -> set[str]:
    # A name starts where a word starts: 自来水公司 holds no place 来水公司.
    starts, offset = set(), 0
    for token in tokens:
        starts.add(offset)
        offset += len(token)
    found: set[str] = set()
    for ending in PLACE_ENDINGS:
        start = run.find(ending)
        while start >= 0:
            end = start + len(ending)
            if _inside_longer(run, ending, start, end):
                start = run.find(ending, start + 1)
                continue
            name_start = start
            while name_start > 0 and start - name_start < NAME_MAX and run[name_start - 1] not in _STOP_CHARS:
                name_start -= 1
            for begin in range(name_start, start - NAME_MIN + 1):
                if begin in starts and _is_name(run[begin:start], run[begin:end]):
                    found.add(run[begin:end])
            one = start - 1  # a village named by one character: 东村
            if (
                ending == "村"
                and one >= name_start
                and one in starts
                and run[one] not in _NOT_VILLAGE_NAMES
                and run[one] not in _STOP_CHARS
            ):
                found.add(run[one:end])
            start = run.find(ending, start + 1)
    return found


# An ending followed by one of these is part of another word: 街道, 村口, 村民, 村委 …
_NOT_A_NAME_AFTER = {"街": "道", "村": "口民委里内级组干"}


def _inside_longer(run: str, ending: str, start: int, end: int) -> bool:
    """Whether this ending is the tail of a longer one (园 of 幼儿园) or the head of another word (街 of
    街道, 村 of 村口): the longer ending names the place, or nothing does."""
    if _NOT_A_NAME_AFTER.get(ending) and run[end : end + 1] in _NOT_A_NAME_AFTER[ending]:
        return True
    return any(
        len(longer) > len(ending)
        and longer.endswith(ending)
        and run[max(0, end - len(longer)) : end] == longer
        for longer in PLACE_ENDINGS
    )


def _is_name(name: str, place: str) -> bool:
    if name.isdigit() or name in _GENERIC_NAMES or name.startswith(_OPENERS):
        return False
    if name in PLACE_ENDINGS or place in PLACE_ENDINGS or place in _GENERIC_PLACES:
        return False
    # 小区临街 is no name; 丽发新城小区 is, though it ends with 小区.
    inner = place.removesuffix("小区")
    return not any(bit in inner for bit in _STOP_BITS)


def shared_places(first: Iterable[str], second: Iterable[str]) -> list[str]:
    """The places both name, the longest spelling of each only (丽发新城小区, not 新城小区), longest first."""
    both = set(first) & set(second)
    kept = [p for p in both if not any(p != q and p in q for q in both)]
    return sorted(kept, key=lambda p: (-len(p), p))


class Words(dict[str, float]):
    """Weighted words, with the squared length of their vector computed once."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        super().__init__(weights)
        self.norm2 = sum(v * v for v in self.values())


@dataclass(frozen=True)
class Reading:
    """An appeal as the duplicate decision reads it: the places it names, its weighted words, and the
    words of its title alone. Each run of text is segmented once."""

    places: frozenset[str]
    words: Words
    title_words: frozenset[str]


def read(title: str, body: str, address: str = "") -> Reading:
    """Read an appeal's title, the opening of its body (BODY_CHARS) and its address."""
    cut: dict[str, list[str]] = {}

    def tokens(run: str) -> list[str]:
        if run not in cut:
            cut[run] = lcut(run)
        return cut[run]

    body = body[:BODY_CHARS]
    named: set[str] = set()
    for text in (title, body, address):
        for run in _unmasked_runs(text):
            named |= _run_places(run, tokens(run))

    def content(text: str) -> set[str]:
        return {
            word
            for run in _unmasked_runs(text)
            for word in tokens(run)
            if len(word) >= 2 and _WORDLIKE.search(word) and word not in STOPWORDS
        }

    table, unknown = _idf()
    in_title = content(title)
    weights = {word: table.get(word, unknown) for word in content(body)}
    weights.update({word: TITLE_WEIGHT * table.get(word, unknown) for word in in_title})
    return Reading(frozenset(named), Words(weights), frozenset(in_title))


def words(title: str, body: str) -> Words:
    """The weighted words of an appeal: title words count TITLE_WEIGHT times, body words (of its opening)
    once, each times its IDF."""
    return read(title, body).words


@dataclass(frozen=True)
class Likeness:
    """How alike two appeals' problems are (0 to 1) and the words that make them so, heaviest first."""

    score: float
    shared: tuple[str, ...]


def problem_likeness(
    first: Mapping[str, float],
    second: Mapping[str, float],
    *,
    place_names: Iterable[str] = (),
    discount: Mapping[str, float] | None = None,
) -> Likeness:
    """Cosine of two weighted word sets, leaving out the words of ``place_names`` (the place both name is
    judged apart) and multiplying a word's weight by ``discount[word]`` (what dismissed hints taught)."""
    names = tuple(place_names)
    factors = discount or {}

    def kept(word: str) -> bool:
        return not any(word in name or name in word for name in names)

    def norm2(weights: Mapping[str, float]) -> float:
        if not names and not factors and isinstance(weights, Words):
            return weights.norm2
        return sum((v * factors.get(w, 1.0)) ** 2 for w, v in weights.items() if not names or kept(w))

    common = [w for w in first.keys() & second.keys() if not names or kept(w)]
    if not common:
        return Likeness(0.0, ())
    norm = math.sqrt(norm2(first) * norm2(second))
    if not norm:
        return Likeness(0.0, ())
    products = {w: first[w] * second[w] * factors.get(w, 1.0) ** 2 for w in common}
    ranked = sorted(common, key=lambda w: (-products[w], w))
    return Likeness(sum(products.values()) / norm, tuple(ranked))
