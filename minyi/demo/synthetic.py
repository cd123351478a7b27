"""Synthetic appeal texts for the demo district and for benchmark volume (no real person's words).

Each level-1 category has a few problem templates; ``{place}`` becomes a village or township name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

#: level-1 category name → (title template, body template, reply template)
TEMPLATES: dict[str, list[tuple[str, str, str]]] = {
    "城乡建设": [
        (
            "{place}路灯坏了很久没人修",
            "{place}主路上的路灯坏了两个多月，晚上出行很不安全，希望尽快修复。",
            "经现场核实，{place}主路共有{n}盏路灯损坏，已于本周全部更换，恢复照明。",
        ),
        (
            "{place}道路坑洼积水严重",
            "{place}进村道路坑洼不平，下雨天积水很深，电动车经常摔倒，请求修补路面。",
            "区住建局已会同镇政府对该路段进行修补，共修补坑槽{n}处，后续将纳入年度维修计划。",
        ),
        (
            "小区物业收费不合理",
            "{place}某小区物业费今年上涨但服务没有改善，电梯经常停运，请相关部门监督。",
            "经调查，该小区物业费调整未履行业主表决程序，已责令物业公司暂停执行新标准并限期整改电梯问题。",
        ),
    ],
    "环境保护": [
        (
            "{place}附近工厂夜间噪音扰民",
            "{place}附近的加工厂每天晚上十点以后还在作业，噪音很大，影响休息。",
            "生态环境分局已对该企业夜间噪声进行监测，超标{n}分贝，已责令其夜间停止高噪声作业并立案处理。",
        ),
        (
            "河道漂浮垃圾无人清理",
            "{place}旁边的河道漂浮大量垃圾，天气一热就有异味，希望安排清理。",
            "镇河长办已组织保洁人员清理河道垃圾约{n}吨，并落实每日巡河保洁制度。",
        ),
        (
            "海边养殖场污水直排",
            "{place}海边养殖场的污水直接排到海里，海水发黑发臭。",
            "经执法检查，该养殖场尾水处理设施未正常运行，已责令停产整改，整改完成前不得排放。",
        ),
    ],
    "交通运输": [
        (
            "{place}公交班次太少",
            "{place}到城区的公交车一小时才一班，上下班高峰很难等到车，希望增加班次。",
            "区交通运输局已协调公交公司在早晚高峰各增加{n}个班次，自下月起执行。",
        ),
        (
            "渔港路口缺少红绿灯",
            "{place}渔港路口车辆多，没有红绿灯，老人小孩过马路很危险。",
            "经交警部门评估，该路口已列入信号灯设置计划，预计{n}月底前完成安装。",
        ),
    ],
    "教育文体": [
        (
            "{place}小学校车接送问题",
            "{place}小学取消了校车，孩子上学要走很远的路，家长接送困难。",
            "区教育局已协调恢复该线路校车，每天早晚各{n}趟，从下周一起运行。",
        ),
        (
            "村文化礼堂长期锁门",
            "{place}的文化礼堂建好后一直锁着门，村民想活动也进不去。",
            "镇文化站已与村委会明确开放时间，每周开放不少于{n}天，并安排专人管理。",
        ),
    ],
    "劳动和社会保障": [
        (
            "工地拖欠农民工工资",
            "我在{place}附近工地干活，老板拖欠了三个月工资，一直不给。",
            "区人社局已约谈施工企业，督促其足额支付拖欠工资共计{n}万元，已全部发放到位。",
        ),
        (
            "养老保险转移接续咨询",
            "我从外地回到{place}工作，以前交的养老保险怎么转回来？",
            "可携带身份证到区政务服务中心社保窗口办理转移接续，一般{n}个工作日内办结。",
        ),
    ],
    "卫生计生": [
        (
            "{place}卫生室缺少常用药",
            "{place}卫生室经常缺少降压药和感冒药，老人要跑到镇上去买。",
            "区卫生健康局已督促镇卫生院加强药品配送，保障{n}类常用药品不断供。",
        ),
    ],
    "农村农业": [
        (
            "渔船燃油补贴什么时候发",
            "{place}的渔民想问一下今年的渔船燃油补贴什么时候发放？",
            "今年渔业油价补贴已完成公示，预计{n}月底前通过一卡通发放到户。",
        ),
        (
            "{place}农田灌溉渠堵塞",
            "{place}的灌溉渠被泥沙堵住了，马上要用水了，请帮忙疏通。",
            "区农林水利局已组织疏通灌溉渠约{n}米，满足春灌用水需求。",
        ),
    ],
    "民政": [
        (
            "低保申请进度咨询",
            "我家住在{place}，上个月申请了低保，想问一下审批到哪一步了？",
            "您的低保申请已完成入户调查，正在公示，公示期满无异议后{n}个工作日内审批。",
        ),
    ],
    "政法": [
        (
            "邻里纠纷需要调解",
            "{place}两户人家因为宅基地边界吵了很久，希望有人来调解。",
            "村调解委员会已组织双方调解，达成协议并签订调解书，双方表示满意。",
        ),
    ],
}

SATISFACTION_COMMENTS = ["处理很及时", "基本解决了", "还有问题没解决", "谢谢工作人员"]


@dataclass(frozen=True)
class Text:
    category: str  # level-1 category name
    title: str
    body: str
    reply: str


def make_text(rng: random.Random, place: str) -> Text:
    """One synthetic appeal (title, body, a good reply) about ``place``."""
    category = rng.choice(list(TEMPLATES))
    title, body, reply = rng.choice(TEMPLATES[category])
    n = rng.randint(2, 12)
    return Text(category, title.format(place=place), body.format(place=place), reply.format(place=place, n=n))
