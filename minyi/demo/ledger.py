"""The demo campaign of 海滨区, shaped like the real one it is modelled on: about 13,000 appeals over its
eight months from every channel, 26 fix-now items (all signed off), 31 fix-while-learning items (25
signed off, 6 turned into long-term work with plans), a few items planned as long-term from the start,
and the overdue ones with their supervision notices.

The appeals are loaded in bulk by minyi.demo.volume.appeals; every item goes through the ledger's own rule
functions (create, report, submit → agree → decide, convert, plan, complete), so the ledger's summary
reads "26 / 26; 31 / 25 / 6" from the records, as it would for any campaign.

Dates are relative to the day the demo is loaded (never to a fixed year): the campaign ran over the
eight whole months ending at least four weeks before that day (loaded on 2026-11-29: 2026-03-01 to
2026-10-31, code QZLX2026), and long-term deadlines and steps are counted from that day, so a demo
loaded later looks the same. The rule functions stamp their steps with the time of loading, as the
appeals demo does: item timelines show when the demo was loaded, not a replayed history.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import NamedTuple

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from minyi.appeals.choices import WORKING_STATES, Channel, State
from minyi.appeals.models import Appeal
from minyi.demo.volume import appeals as volume
from minyi.ledger import rules
from minyi.ledger.choices import IssueSource, Track
from minyi.ledger.models import Campaign, Issue
from minyi.org.choices import Role, UnitKind
from minyi.org.models import Person, Unit
from minyi.supervision.rules import sweep

SEED = 20140620
CODE_PREFIX = "QZLX"
CAMPAIGN_NAME = "党的群众路线教育实践活动"
MONTHS = 8
#: Appeals generated: "共征求到意见建议1.3万多条" (a few dozen reopened ones were first received just before).
APPEALS = 13_200
#: Where the campaign's appeals ended: most answered and closed a month after it, a few still open.
STATE_SHARES = [
    (State.RECEIVED, 0.002),
    (State.DISPATCHED, 0.002),
    (State.IN_PROGRESS, 0.006),
    (State.REPLIED, 0.07),
    (State.CLOSED, 0.89),
    (State.REJECTED, 0.03),
]
#: Share of each month's appeals: listening peaked in the middle months (symposia, household visits).
MONTH_WEIGHTS = [7, 11, 16, 18, 17, 13, 10, 8]
#: Channel weights; the outreach channels grow towards the middle months (see _channel_weights).
CHANNEL_WEIGHTS = {
    Channel.MAILBOX: 16,
    Channel.HOTLINE: 18,
    Channel.AGRI_HOTLINE: 6,
    Channel.SYMPOSIUM: 11,
    Channel.EVALUATION: 9,
    Channel.VISIT: 24,
    Channel.LETTER: 6,
    Channel.WALK_IN: 10,
}
OUTREACH = {Channel.SYMPOSIUM, Channel.EVALUATION, Channel.VISIT}
#: Share of the campaign's appeals published on the echo wall.
PUBLISHED_SHARE = 0.08


@dataclass(frozen=True)
class Item:
    """One rectification item of the demo. ``{a}``/``{b}`` in the texts become villages of ``town``;
    ``match`` (level-1 category, word in the title) finds the appeals that raised it."""

    title: str
    unit: str
    evidence: str = ""
    co: tuple[str, ...] = ()
    town: str = ""
    match: tuple[str, str] | None = None
    finding: str = ""  # the inspection notice it comes from
    rejected: str = ""  # the leader's reason for rejecting the first sign-off request


@dataclass(frozen=True)
class Step:
    """A step of a long-term plan, due ``days`` after the campaign's end or after today; done when it
    has evidence."""

    title: str
    anchor: str  # "end" or "today"
    days: int
    owner: str
    evidence: str = ""


FIX_NOW = [
    Item(
        "海城街道背街小巷路灯不亮",
        "CG",
        "排查背街小巷路灯412盏，更换损坏灯具37盏、修复线路5处，已全部恢复照明。",
        town="T01",
        match=("城乡建设", "路灯"),
    ),
    Item(
        "渔港镇{a}、{b}路灯长期不亮",
        "T03",
        "更换{a}、{b}路灯26盏，新装太阳能路灯10盏，落实村级路灯日常巡查。",
        town="T03",
        match=("城乡建设", "路灯"),
        rejected="照片只反映了{a}的情况，请补充{b}的整改前后照片。",
    ),
    Item(
        "东港街道河道漂浮垃圾清理不及时",
        "T02",
        "清理河道垃圾18吨，配备保洁船2艘，落实每日巡河保洁制度。",
        co=("STHJ",),
        town="T02",
        match=("环境保护", "河道"),
    ),
    Item(
        "沙门镇{a}河道垃圾堆积",
        "T04",
        "集中清理{a}河道垃圾9吨，设立河道保洁责任牌，明确保洁员3名。",
        town="T04",
        match=("环境保护", "河道"),
    ),
    Item(
        "区政务服务中心窗口午间无人值守",
        "ZWFW",
        "推行午间和周末延时服务，安排窗口轮值人员24名，公布服务电话。",
    ),
    Item(
        "社保窗口办事指南内容过期",
        "RS",
        "重新修订社保业务办事指南46项，在窗口和网上同步公开。",
        match=("劳动和社会保障", "养老保险"),
    ),
    Item(
        "低保审批进度群众查询难",
        "MZ",
        "开通低保审批进度短信告知和窗口查询，公示办理环节和时限。",
        match=("民政", "低保"),
    ),
    Item(
        "渔船燃油补贴发放进度不公开",
        "HYYY",
        "在各渔村公开栏和区政府网站公示补贴名单及发放时间，补贴已全部发放到户。",
        town="T03",
        match=("农村农业", "燃油补贴"),
    ),
    Item(
        "青屿镇{a}卫生室常用药品断供",
        "WJ",
        "建立村卫生室药品每周配送制度，补齐降压药、感冒药等常用药品32种。",
        co=("T05",),
        town="T05",
        match=("卫生计生", "卫生室"),
    ),
    Item(
        "金滩镇{a}农田灌溉渠堵塞",
        "T07",
        "疏通灌溉渠1.2公里，清淤土方800立方米，满足春灌用水。",
        co=("NLS",),
        town="T07",
        match=("农村农业", "灌溉渠"),
    ),
    Item(
        "白岩镇石材企业夜间作业噪音扰民",
        "STHJ",
        "对3家石材企业开展夜间噪声执法监测，责令22时后停止高噪声作业，立案处罚1家。",
        co=("T06",),
        town="T06",
        match=("环境保护", "噪音"),
    ),
    Item(
        "东港街道加工企业夜间噪声超标",
        "STHJ",
        "监测确认2家企业噪声超标，已安装隔音设施并复测达标。",
        town="T02",
        match=("环境保护", "噪音"),
    ),
    Item(
        "青屿镇{a}文化礼堂长期锁门",
        "T05",
        "明确文化礼堂每周开放5天，安排专人管理，已开展文化活动8场。",
        co=("WGLT",),
        town="T05",
        match=("教育文体", "文化礼堂"),
    ),
    Item(
        "沙门镇{a}邻里宅基地纠纷久拖未调",
        "SF",
        "组织人民调解员现场调解，双方签订调解协议，纠纷已化解。",
        co=("T04",),
        town="T04",
        match=("政法", "纠纷"),
    ),
    Item(
        "工程项目拖欠农民工工资",
        "RS",
        "约谈施工企业5家，督促支付拖欠工资合计86万元，已全部发放到农民工本人。",
        match=("劳动和社会保障", "拖欠"),
        rejected="仍有1家企业的工资未发放到位，请核实后再申请销号。",
    ),
    Item(
        "机关干部上班时间迟到早退、办私事",
        "QZLX",
        "开展作风纪律专项检查4轮，通报问题12起，建立常态化明察暗访制度。",
        finding="督导组通报第1期",
    ),
    Item("区信访局来访接待不规范", "XF", "修订来访接待规范，开展接待人员培训2期，实行首接负责制。"),
    Item(
        "白岩镇村级公开栏信息长期未更新",
        "T06",
        "全镇14个村公开栏全部更新，明确每月更新责任人。",
        finding="督导组通报第2期",
    ),
    Item(
        "不动产登记窗口排队时间长",
        "ZRZY",
        "增设登记窗口3个，推行网上预约，平均等候时间由90分钟降至25分钟。",
        rejected="请提供预约系统上线和等候时间统计的证明材料。",
    ),
    Item(
        "城区主干道共享单车乱停放",
        "CG",
        "施划非机动车停放区120处，督促运营企业清运乱停车辆1500余辆。",
        town="T01",
    ),
    Item("医保报销材料要求重复提交", "YB", "精简医保报销材料7项，实行一次告知、一窗受理。"),
    Item("残疾人两项补贴发放不及时", "CL", "补发两项补贴涉及残疾人316名，建立按月发放台账。", co=("MZ",)),
    Item(
        "退役军人优抚金发放信息不透明", "TYJR", "在退役军人服务站公开优抚政策和发放明细，逐户告知发放标准。"
    ),
    Item(
        "小学取消校车后学生上学路远",
        "JY",
        "恢复校车线路4条，每天早晚各2趟，覆盖学生380名。",
        match=("教育文体", "校车"),
    ),
    Item(
        "沙门镇公交站台候车亭破损",
        "JT",
        "维修更换候车亭11座，增设站牌和座椅。",
        co=("T04",),
        town="T04",
        match=("交通运输", "公交"),
    ),
    Item(
        "金滩镇{a}一带电压不稳、频繁停电",
        "GD",
        "更换老旧变压器2台、改造低压线路3.5公里，停电投诉明显下降。",
        co=("T07",),
        town="T07",
    ),
]

FIX_IN_CAMPAIGN = [
    Item(
        "渔港镇{a}至{b}道路破损",
        "ZJ",
        "完成{a}至{b}道路修复2.8公里，修补坑槽146处，已通过验收。",
        co=("T03",),
        town="T03",
        match=("城乡建设", "道路坑洼"),
        rejected="{b}段路面尚未修复完成，请完成后再申请销号。",
    ),
    Item(
        "白岩镇{a}至{b}进村道路坑洼积水",
        "T06",
        "硬化路面1.6公里，新建排水边沟1.2公里，雨天积水问题已解决。",
        co=("JT",),
        town="T06",
        match=("城乡建设", "道路坑洼"),
    ),
    Item(
        "海城街道集贸市场周边占道经营",
        "CG",
        "新建临时疏导点2处，安置流动摊贩60余户，市场周边实行定人定岗管理。",
        co=("SCJG", "T01"),
        town="T01",
    ),
    Item(
        "行政审批事项办理时限过长",
        "ZWFW",
        "梳理审批事项218项，承诺办理时限平均压缩52%，推行并联审批。",
        finding="督导组通报第3期",
        rejected="请提供压缩时限后的实际办结数据。",
    ),
    Item(
        "村级财务公开不及时",
        "NLS",
        "全区村级财务实行季度公开并接入农村“三资”管理平台，抽查100个村全部按时公开。",
        co=("CZ",),
        finding="督导组通报第2期",
    ),
    Item(
        "城区公交班次少、末班车过早",
        "JT",
        "新增公交班次36个，末班车延长至21:30。",
        town="T01",
        match=("交通运输", "公交"),
    ),
    Item(
        "东港街道小区物业收费不规范",
        "ZJ",
        "检查物业小区23个，纠正违规收费4起，督促退还多收费用。",
        co=("T02",),
        town="T02",
        match=("城乡建设", "物业"),
    ),
    Item(
        "海城街道老旧小区物业服务不到位",
        "ZJ",
        "约谈服务不达标的物业企业3家并限期整改，建立业主满意度测评制度。",
        co=("T01",),
        town="T01",
        match=("城乡建设", "物业"),
    ),
    Item(
        "渔港镇到城区公交班次不足",
        "JT",
        "开通渔港镇至城区快线，高峰期发车间隔缩短至20分钟。",
        co=("T03",),
        town="T03",
        match=("交通运输", "公交"),
    ),
    Item(
        "中小学校车线路覆盖不足",
        "JY",
        "新增校车线路9条，偏远村学生校车覆盖率达到100%。",
        match=("教育文体", "校车"),
    ),
    Item(
        "镇卫生院向村卫生室配送药品不及时",
        "WJ",
        "建立镇村药品统一配送机制，村卫生室常用药品配备率达到98%。",
        match=("卫生计生", "卫生室"),
    ),
    Item(
        "金滩镇河道保洁长效机制未建立",
        "T07",
        "落实镇村两级河长32名，聘用专职保洁员15名，河道保洁实行月考核。",
        co=("STHJ",),
        town="T07",
        match=("环境保护", "河道"),
    ),
    Item(
        "白岩镇{a}灌溉渠年久失修",
        "NLS",
        "完成灌溉渠改造3.2公里，新建节制闸2座。",
        co=("T06",),
        town="T06",
        match=("农村农业", "灌溉渠"),
    ),
    Item(
        "建筑工地欠薪问题反复发生",
        "RS",
        "全面推行农民工工资专户和保证金制度，在建项目覆盖率100%。",
        co=("ZJ",),
        match=("劳动和社会保障", "拖欠"),
    ),
    Item(
        "低保对象动态管理不规范",
        "MZ",
        "全面复核低保对象2136户，清退不符合条件的47户，新纳入符合条件的63户。",
        finding="督导组通报第4期",
        match=("民政", "低保"),
    ),
    Item(
        "基层矛盾纠纷调解力量薄弱",
        "SF",
        "充实村级人民调解员200名，建立镇街调解中心7个。",
        match=("政法", "纠纷"),
    ),
    Item(
        "农村文化礼堂使用率低",
        "WGLT",
        "制定文化礼堂活动菜单，送戏送书下乡120场次。",
        match=("教育文体", "文化礼堂"),
    ),
    Item(
        "东港街道餐饮油烟扰民",
        "STHJ",
        "督促52家餐饮店安装油烟净化设施，抽测全部达标。",
        co=("T02",),
        town="T02",
    ),
    Item(
        "沙门镇港区货车扬尘污染",
        "JT",
        "港区道路实行每日冲洗，货车全部加盖篷布，设置车辆冲洗平台2处。",
        co=("T04", "STHJ"),
        town="T04",
    ),
    Item("企业开办环节多、材料多", "SCJG", "企业开办压缩至1个工作日，申请材料由11份减至4份。", co=("ZWFW",)),
    Item(
        "涉企检查多头重复",
        "SCJG",
        "推行“双随机、一公开”联合检查，涉企检查次数同比下降43%。",
        finding="督导组通报第3期",
    ),
    Item("税费缴纳网上办理不便", "SWJ", "上线电子税务局移动端，92%的涉税事项实现网上办理。"),
    Item(
        "青屿镇渔民养老保险转移接续难",
        "RS",
        "在青屿镇设立社保代办点，转移接续办理时间由45天缩短至15天。",
        co=("T05",),
        town="T05",
        match=("劳动和社会保障", "养老保险"),
    ),
    Item(
        "学校食堂食品安全监管不到位",
        "SCJG",
        "全区学校食堂实现“明厨亮灶”全覆盖，开展专项检查3轮。",
        co=("JY",),
    ),
    Item(
        "基层报表多、重复填报", "TJ", "清理基层报表64种，整合为统一数据采集平台。", finding="督导组通报第4期"
    ),
]

#: Fix-while-learning items that became long-term work: (item, why, new deadline in days from today,
#: plan). Steps before the campaign's end are done; two of the later ones are left overdue.
CONVERTED = [
    (
        Item("渔港路口缺少交通信号灯", "JT", co=("GA", "T03"), town="T03", match=("交通运输", "红绿灯")),
        "路口需拓宽改造并迁移地下管线，涉及用地报批，活动期间无法完成，转为常态整改。",
        240,
        [
            Step("完成路口交通组织设计", "end", -75, "JT", "设计方案已通过专家评审。"),
            Step("完成管线迁移和用地报批", "end", -20, "T03", "用地手续已获批复，管线迁移完成。"),
            Step("路口拓宽改造完工", "today", -5, "JT"),
            Step("信号灯安装调试并投入使用", "today", 240, "GA"),
        ],
    ),
    (
        Item("海边养殖场尾水直排", "STHJ", co=("HYYY",), match=("环境保护", "养殖场污水")),
        "尾水处理设施需统一规划、分批建设，周期超过活动期限。",
        400,
        [
            Step("完成全区养殖场排放口排查", "end", -80, "STHJ", "排查养殖场142家，建立排放口台账。"),
            Step("依法关停无证养殖场", "end", -40, "HYYY", "依法关停无证养殖场17家。"),
            Step("建成尾水集中处理设施", "today", 400, "STHJ"),
        ],
    ),
    (
        Item("农村生活污水处理设施覆盖不足", "ZJ", co=("STHJ",)),
        "需分年度投入资金约1.2亿元，已纳入农村生活污水治理三年行动计划。",
        760,
        [
            Step("编制农村生活污水治理三年行动计划", "end", -60, "ZJ", "计划已经区政府常务会议审议通过。"),
            Step("完成首批20个村管网建设", "end", 0, "ZJ", "首批20个村管网已完工并通水。"),
            Step("完成第二批40个村管网建设", "today", 365, "ZJ"),
            Step("农村生活污水处理设施全覆盖", "today", 760, "ZJ"),
        ],
    ),
    (
        Item("老旧小区加装电梯推进缓慢", "ZJ", co=("T01", "T02"), town="T01"),
        "加装电梯需逐栋征得业主同意并筹集资金，属长期工作。",
        300,
        [
            Step("出台老旧小区加装电梯实施办法", "end", -70, "ZJ", "实施办法已印发。"),
            Step("完成首批试点楼栋方案公示", "end", -35, "T01", "8栋楼加装方案已公示。"),
            Step("首批试点电梯开工建设", "today", -8, "T02"),
            Step("首批试点电梯投入使用", "today", 300, "ZJ"),
        ],
    ),
    (
        Item("海塘标准化加固", "NLS", co=("YJ", "T04"), town="T04"),
        "海塘加固工程需省级立项并避让汛期施工，跨年度实施。",
        600,
        [
            Step("完成海塘安全鉴定", "end", -90, "NLS", "完成海塘安全鉴定12.6公里。"),
            Step("完成险段应急加固", "end", -15, "T04", "完成险段应急加固1.8公里。"),
            Step("主体工程完工验收", "today", 600, "NLS"),
        ],
    ),
    (
        Item("青屿镇海岛供水管网老化漏损", "NLS", co=("T05",), town="T05"),
        "管网改造需结合海底输水管道建设，工期超过一年。",
        420,
        [
            Step("完成管网漏损普查", "end", -50, "T05", "普查管网46公里，确定漏损点83处。"),
            Step("完成漏损点抢修", "end", -5, "NLS", "83处漏损点全部修复。"),
        ],
    ),
]

#: Items planned as long-term work from the start: (item, deadline in days from today, plan).
LONG_TERM = [
    (
        Item("中心渔港扩建提升", "HYYY", co=("T03", "ZRZY"), town="T03"),
        540,
        [
            Step("完成项目可行性研究", "end", -60, "HYYY", "可行性研究报告已通过评审。"),
            Step("完成用海审批", "today", 120, "ZRZY"),
            Step("防波堤工程完工", "today", 540, "HYYY"),
        ],
    ),
    (
        Item("农村公路提档升级", "JT", co=("ZJ",), match=("城乡建设", "道路坑洼")),
        270,
        [
            Step("编制农村公路提档升级规划", "end", -90, "JT", "规划已印发实施。"),
            Step("完成年度改造计划80公里", "today", -10, "JT"),
            Step("完成全部改造任务", "today", 270, "JT"),
        ],
    ),
    (
        Item("城区停车难", "CG", co=("GA", "ZRZY"), town="T01"),
        -6,
        [
            Step("完成城区停车设施普查", "end", -45, "CG", "普查停车泊位3.1万个，形成供需分析报告。"),
            Step("新增公共停车泊位2000个", "today", -6, "CG"),
        ],
    ),
    (
        Item("近岸海域环境综合整治", "STHJ", co=("HYYY",)),
        -15,
        [
            Step("完成入海排污口排查", "end", -90, "STHJ", "排查入海排污口76个。"),
            Step("完成入海排污口分类整治", "end", 0, "STHJ", "分类整治入海排污口41个。"),
            Step("近岸海域水质达标考核", "today", -15, "STHJ"),
        ],
    ),
]

REPORTS = [
    "已召开专题会议研究整改方案，明确责任人和完成时限。",
    "已完成现场排查，正在组织施工和整改。",
    "整改工作已完成过半，正在逐项核对群众反映的问题。",
]


def demo_campaign() -> Campaign | None:
    """The demo campaign once loaded (the newest, if the demo was loaded again in a later year)."""
    return (
        Campaign.objects.filter(code__startswith=CODE_PREFIX, name=CAMPAIGN_NAME)
        .order_by("-starts_on")
        .first()
    )


def campaign_span(today: date) -> tuple[str, date, date]:
    """(code, first day, last day) of the demo campaign loaded on ``today``: the eight whole months
    ending at least four weeks before it (loaded on 2026-11-29: QZLX2026, 2026-03-01 to 2026-10-31)."""
    ends = (today - timedelta(days=28)).replace(day=1) - timedelta(days=1)
    year, month = ends.year, ends.month - (MONTHS - 1)
    if month < 1:
        year, month = year - 1, month + 12
    starts = date(year, month, 1)
    return f"{CODE_PREFIX}{starts.year}", starts, ends


def seed() -> dict[str, int]:
    """Load the demo campaign once (nothing happens when it is there); return what was made, with the
    notices the deadline sweep then issued (for any overdue work of the district, not only the campaign's)."""
    if Campaign.objects.filter(code__startswith=CODE_PREFIX, name=CAMPAIGN_NAME).exists():
        return {}
    today = timezone.localdate()
    code, starts, ends = campaign_span(today)
    with transaction.atomic():
        campaign = Campaign(code=code, name=CAMPAIGN_NAME, starts_on=starts, ends_on=ends)
        campaign.full_clean()
        campaign.save()
        loaded = _appeals(starts, ends)
        counts = _Ledger(campaign, today).run()
        counts["notices"] = _supervise()
    return {"appeals": loaded, **counts}


# --- appeals ---------------------------------------------------------------------------------------


def _appeals(starts: date, ends: date) -> int:
    """The campaign's appeals in one bulk load, received over its months from every channel."""
    tz = timezone.get_default_timezone()
    months = _month_starts(starts, ends)
    # Local midnights, in UTC: the bulk loader writes datetimes as given, and SQLite compares them as text.
    edges = [
        datetime.combine(day, clock.min, tzinfo=tz).astimezone(UTC)
        for day in [*months, ends + timedelta(days=1)]
    ]
    weights = _channel_weights(len(months))
    channels = list(CHANNEL_WEIGHTS)
    late = edges[-1] - timedelta(days=20)

    def received_at(rng: random.Random, state: str) -> datetime:
        if state in (State.RECEIVED, *WORKING_STATES):  # still open: the last weeks' appeals
            return late + (edges[-1] - late) * rng.random()
        month = rng.choices(range(len(months)), weights=MONTH_WEIGHTS[: len(months)])[0]
        return edges[month] + (edges[month + 1] - edges[month]) * rng.random()

    def channel(rng: random.Random, received: datetime) -> str:
        month = sum(1 for edge in edges[1:-1] if received >= edge)
        return rng.choices(channels, weights=weights[min(max(month, 0), len(months) - 1)])[0]

    result = volume.generate(
        APPEALS,
        seed=SEED,
        published_share=PUBLISHED_SHARE,
        states=STATE_SHARES,
        received_at=received_at,
        channel=channel,
    )
    return int(result["appeals"])


def _month_starts(starts: date, ends: date) -> list[date]:
    months, day = [], starts
    while day <= ends:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _channel_weights(months: int) -> list[list[float]]:
    """Per month, the channel weights: symposia, evaluation forms and visits up to twice as many in the
    middle months as at the start and the end."""
    middle = (months - 1) / 2 or 1
    rows = []
    for month in range(months):
        closeness = 1 - abs(month - middle) / middle
        rows.append(
            [w * (0.6 + 0.8 * closeness) if c in OUTREACH else float(w) for c, w in CHANNEL_WEIGHTS.items()]
        )
    return rows


# --- ledger ----------------------------------------------------------------------------------------


class _Row(NamedTuple):
    """What picking an item's appeals needs to know of one campaign appeal."""

    pk: int
    category: str | None
    title: str
    township: str | None
    village: str | None
    state: str


ANSWERED = (State.CLOSED, State.REPLIED)


class _Ledger:
    """Walks the demo items through the ledger's rules, with the people each rule asks for."""

    def __init__(self, campaign: Campaign, today: date) -> None:
        self.campaign, self.today = campaign, today
        self.rng = random.Random(SEED)
        self.office = User.objects.get(username="dispatcher")  # the campaign office makes the items
        # Every leader with a login supervises items in turn (the demo district gives logins to some).
        self.leaders = list(
            User.objects.filter(person__role=Role.LEADER, person__is_active=True, is_active=True).order_by(
                "person__id"
            )
        )
        if not self.leaders:
            raise RuntimeError("the demo district has no leader who can log in")
        self.units = {
            u.code: u for u in Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWNSHIP])
        }
        self.staff: dict[tuple[int, str], User] = {}
        for person in (
            Person.objects.filter(role__in=[Role.HANDLER, Role.UNIT_HEAD], is_active=True, user__isnull=False)
            .select_related("user")
            .order_by("id")
        ):
            assert person.user is not None
            self.staff.setdefault((person.unit_id, person.role), person.user)
        tz = timezone.get_default_timezone()
        received = (
            datetime.combine(campaign.starts_on, clock.min, tzinfo=tz),
            datetime.combine(campaign.ends_on + timedelta(days=1), clock.min, tzinfo=tz),
        )
        fields = ["pk", "category__name", "title", "township__code", "village__name", "state"]
        self.pool = [
            _Row(*row)
            for row in Appeal.objects.filter(received_at__gte=received[0], received_at__lt=received[1])
            .order_by("pk")
            .values_list(*fields)
        ]
        self.used: set[int] = set()
        self.turn = 0
        self.counts = {"fix_now": 0, "fix_in_campaign": 0, "long_term": 0, "signed_off": 0, "converted": 0,
                       "milestones": 0, "linked_appeals": 0}  # fmt: skip

    def run(self) -> dict[str, int]:
        """Every item from creation to where the demo leaves it; returns how many of each were made."""
        c = self.campaign
        span = (c.ends_on - c.starts_on).days
        for item in FIX_NOW:
            deadline = c.starts_on + timedelta(days=self.rng.randint(20, 75))
            self._sign_off(*self._create(item, Track.FIX_NOW, deadline))
        for item in FIX_IN_CAMPAIGN:
            deadline = c.starts_on + timedelta(days=self.rng.randint(100, span))
            issue, text = self._create(item, Track.FIX_IN_CAMPAIGN, deadline)
            self._report(issue)
            self._sign_off(issue, text)
        for item, reason, days, plan in CONVERTED:
            issue, _text = self._create(item, Track.FIX_IN_CAMPAIGN, c.ends_on)
            self._report(issue)
            rules.convert_to_long_term(issue, actor=issue.leader, reason=reason)
            # Long-term work runs past the campaign: the office gives it the plan's own deadline.
            issue = rules.edit_issue(issue, actor=self.office, deadline=self.today + timedelta(days=days))
            self.counts["converted"] += 1
            self._plan(issue, plan)
        for item, days, plan in LONG_TERM:
            issue, _text = self._create(item, Track.LONG_TERM, self.today + timedelta(days=days))
            self._plan(issue, plan)
            self._report(issue)
        return self.counts

    def _user(self, unit: Unit, role: str) -> User:
        user = self.staff.get((unit.pk, role))
        if user is None:
            raise RuntimeError(f"{unit.name} has no {role} who can log in")
        return user

    def _create(self, item: Item, track: str, deadline: date) -> tuple[Issue, dict[str, str]]:
        text = self._texts(item)
        lead = self.units[item.unit]
        leader = self.leaders[self.turn % len(self.leaders)]
        self.turn += 1
        appeals = self._appeals_for(item, text["a"], text["b"], open_ok=track != Track.FIX_NOW)
        if item.finding:
            source, origin = IssueSource.INSPECTION, f"{item.finding}指出："
        elif appeals:
            source, origin = IssueSource.APPEALS, f"活动期间群众通过多种渠道反映（{len(appeals)}件）："
        else:
            source, origin = IssueSource.OWN, f"{lead.name}在查摆问题中自查发现："
        self.counts[track] += 1
        self.counts["linked_appeals"] += len(appeals)
        issue = rules.create_issue(
            campaign=self.campaign,
            title=text["title"],
            description=origin + text["title"] + "。",
            track=track,
            lead_unit=lead,
            co_units=[self.units[code] for code in item.co],
            leader=leader,
            deadline=deadline,
            appeals=appeals,
            source=source,
            finding_ref=item.finding,
            actor=self.office,
        )
        return issue, text

    def _texts(self, item: Item) -> dict[str, str]:
        a = b = ""
        if "{a}" in item.title:
            villages = list(
                Unit.objects.filter(parent__code=item.town, kind=UnitKind.VILLAGE).order_by("code")
            )
            a, b = (v.name.removesuffix("村") for v in self.rng.sample(villages, 2))
        fill = {"a": a, "b": b}
        return {
            "a": a,
            "b": b,
            "title": item.title.format(**fill),
            "evidence": item.evidence.format(**fill),
            "rejected": item.rejected.format(**fill),
        }

    def _appeals_for(self, item: Item, a: str, b: str, *, open_ok: bool) -> list[Appeal]:
        """2–8 of the campaign's appeals that raised the problem (where the synthetic texts have it), from
        its villages, else its township, else anywhere: answered ones, and one still being worked on for
        items that stay open and now and then for others (the sign-off answers it)."""
        if item.match is None:
            return []
        category, word = item.match
        pool = [r for r in self.pool if r.category == category and word in r.title and r.pk not in self.used]
        villages = {f"{a}村", f"{b}村"} if a else set()
        scopes: list[Callable[[_Row], bool]] = []
        if villages:
            scopes.append(lambda r: r.township == item.town and r.village in villages)
        if item.town:
            scopes.append(lambda r: r.township == item.town)
        scopes.append(lambda r: True)
        want, picked = self.rng.randint(2, 8), list[int]()
        for scope in scopes:
            ids = [r.pk for r in pool if r.state in ANSWERED and scope(r) and r.pk not in picked]
            picked += self.rng.sample(ids, min(len(ids), want - len(picked)))
            if len(picked) >= 2:
                break
        if open_ok or self.rng.random() < 0.4:
            picked += [r.pk for r in pool if r.state in WORKING_STATES][:1]
        self.used.update(picked)
        return list(Appeal.objects.filter(pk__in=picked).order_by("pk"))

    def _report(self, issue: Issue) -> None:
        handler = self._user(issue.lead_unit, Role.HANDLER)
        rules.report_progress(issue, actor=handler, text=self.rng.choice(REPORTS))

    def _sign_off(self, issue: Issue, text: dict[str, str]) -> None:
        """Submit, agree and approve (after one rejection with its reason, for some items)."""
        handler = self._user(issue.lead_unit, Role.HANDLER)
        head = self._user(issue.lead_unit, Role.UNIT_HEAD)
        if text["rejected"]:
            rules.submit_for_signoff(issue, actor=handler, evidence="整改已基本完成，附现场照片。")
            rules.agree_signoff(issue, actor=head)
            rules.decide_signoff(issue, actor=issue.leader, approve=False, reason=text["rejected"])
        rules.submit_for_signoff(issue, actor=handler, evidence=text["evidence"])
        rules.agree_signoff(issue, actor=head)
        rules.decide_signoff(issue, actor=issue.leader, approve=True)
        self.counts["signed_off"] += 1

    def _plan(self, issue: Issue, plan: list[Step]) -> None:
        """The item's plan, made by its lead unit; steps with evidence are reported done by their owner."""
        planner = self._user(issue.lead_unit, Role.HANDLER)
        for step in plan:
            base = self.campaign.ends_on if step.anchor == "end" else self.today
            owner = self.units[step.owner]
            milestone = rules.add_milestone(
                issue, actor=planner, title=step.title, due_on=base + timedelta(days=step.days), owner=owner
            )
            self.counts["milestones"] += 1
            if step.evidence:
                rules.complete_milestone(
                    milestone, actor=self._user(owner, Role.HANDLER), evidence=step.evidence
                )


# --- supervision -----------------------------------------------------------------------------------


def _supervise() -> int:
    """The deadline sweep, as the worker runs it: notices for the overdue items and appeals."""
    counts = sweep(now=timezone.now())
    return sum(n for level, n in counts.items() if level != "briefed")
