"""The demo evaluation: "群众满意度测评" of the townships (or, without townships, the departments), with
five criteria on a 1–5 scale, about 600 paper forms typed in through the import rule (each rating the
townships its writer knows) and about 40 comments that become appeals; then the form is closed so the
results can be seen."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from minyi.evaluation import rules
from minyi.evaluation.models import EvaluationForm
from minyi.ledger.models import Campaign
from minyi.org.choices import UnitKind
from minyi.org.models import Unit

TITLE = "群众满意度测评"
SEED = 7_007
ANSWERS = 600
COMMENTS = 40
CRITERIA = ["工作作风", "办事效率", "服务态度", "廉洁自律", "为民办实事成效"]
LABELS = ["很不满意", "不满意", "基本满意", "满意", "很满意"]
REMARKS = [
    "村里路灯坏了很久，希望尽快修好。",
    "办事窗口中午没人，群众要跑两趟。",
    "干部下村比以前多了，希望坚持下去。",
    "渔港码头排水不好，下雨就积水。",
    "低保评定希望更公开透明。",
    "会议和检查太多，基层干部没时间办实事。",
    "垃圾清运不及时，夏天气味很大。",
    "希望多组织农业技术培训。",
    "镇卫生院看病排队时间长。",
    "征地补偿款发放进度希望公开。",
    "留守老人多，希望增加日间照料。",
    "便民服务中心办事快了，点个赞。",
]


def seed(campaign: Campaign) -> dict[str, int]:
    """Load the demo evaluation once (nothing happens when the form exists); returns what was made."""
    if EvaluationForm.objects.filter(title=TITLE).exists():
        return {}
    units = list(Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True).order_by("code")[:7])
    if not units:
        units = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("code")[:7])
    if not units:
        return {}
    rng = random.Random(SEED)
    today = timezone.localdate()
    form = rules.create_form(
        rules.Definition(
            title=TITLE,
            instructions="请对以下单位的工作作出评价，不记名，背靠背。",
            units=units,
            criteria=CRITERIA,
            scale_labels=LABELS,
            opens_on=min(campaign.starts_on, today),
            closes_on=max(campaign.ends_on, today + timedelta(days=1)),
            campaign=campaign,
        ),
        actor=None,
    )
    rules.open_form(form, actor=None)
    criteria = [criterion.pk for criterion in form.criteria.all()]
    quality = {unit.pk: rng.uniform(3.2, 4.5) for unit in units}
    commented = set(rng.sample(range(ANSWERS), COMMENTS))
    answers = []
    for number in range(ANSWERS):
        known = rng.sample(units, rng.randint(max(1, len(units) - 4), len(units)))
        ratings = {
            unit.pk: {c: min(5, max(1, round(rng.gauss(quality[unit.pk], 0.8)))) for c in criteria}
            for unit in known
        }
        comments = {known[0].pk: rng.choice(REMARKS)} if number in commented else {}
        answers.append(rules.AnswerInput(ratings, comments))
    count, comments_made = rules.record_paper_answers(form, answers, actor=None)
    rules.close_form(form, actor=None)
    return {"evaluation_forms": 1, "evaluation_answers": count, "evaluation_comments": comments_made}
