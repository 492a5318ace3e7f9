"""What the shop's knowledge answers, what the built-in playbook covers for it, and what is left.

For every intent in every stage it occurs in, and every everyday situation: answered by the
shop's own scripts, by the playbook, or by nothing. From served traffic (the feedback store):
the knowledge gaps and the low-confidence readings grouped by meaning, most frequent first, and
the intents agents intervene on more than 30 % of the time. Then a short list of what to write
next, most traffic first.
"""

import csv
import io
from collections import Counter
from html import escape
from typing import Literal

from pydantic import BaseModel, Field

from copilot.drafting.playbook import SPECIAL_TAGS, Playbook
from copilot.feedback.analytics import GapGroup, IntentStats
from copilot.knowledge.loader import KnowledgeBase
from copilot.knowledge.taxonomy import INTENT_LABELS, INTENT_STAGES, STAGE_LABELS

# the list of what to write next stops here: a short list is read, a long one is not
WRITE_NEXT = 8
# the situations of the built-in playbook and the drafter's phrasing, as a shop owner calls them
# (a situation a shop adds in its own playbook.yaml shows its tag)
SITUATION_LABELS = {
    "thanks": "顾客道谢",
    "farewell": "顾客告别",
    "presence": "问在不在",
    "which_product": "没说哪款商品",
    "not_sold": "问没卖的商品",
    "recommend": "求推荐",
    "gift": "送礼",
    "authentic": "问是否正品",
    "bargain": "讲价",
    "price_match": "比价",
    "coupon_failed": "优惠券用不了",
    "cancel": "取消订单",
    "address": "改地址",
    "signed_missing": "显示签收没收到",
    "refund_waiting": "退款没到账",
    "order_status": "查订单进度",
    "urge": "催发货催快递",
    "arrival": "问几天能到",
    "safety_incident": "安全事故",
    "threat": "威胁投诉",
    "special_vat": "专用发票",
    "stuck": "物流不动",
    "late": "迟迟不发货",
    "lost": "包裹丢失",
    "damaged": "商品破损",
    "wrong_item": "发错货",
    "missing_item": "少发漏发",
    "payment_failed": "付款失败",
    "attitude": "客服态度",
    "compensation": "要求赔偿",
    "courier": "快递问题",
    "delay": "物流延误",
    "exclusion": "不退换的情形",
    "expired": "超过售后期限",
    "minor_flaw": "小瑕疵",
    "out_of_stock": "缺货",
    "repeated": "反复联系没解决",
    "slow_reply": "回复慢",
}

AnsweredBy = Literal["shop", "playbook", "nothing"]


class CoverageRow(BaseModel):
    """One intent in one stage, or one situation, and who answers it."""

    kind: Literal["intent", "situation"]
    name: str = Field(description="intent, or situation tag")
    label: str = Field(description="the intent or situation in Chinese, as the shop reads it")
    stage: str = ""
    answered_by: AnsweredBy
    shop_scripts: int
    playbook_moves: int
    requests: int = Field(description="served messages read as this intent (in the window)")


class Coverage(BaseModel):
    """GET /v1/coverage and `copilot coverage`."""

    rows: list[CoverageRow]
    knowledge_gaps: list[GapGroup]
    low_confidence: list[GapGroup]
    needs_knowledge_work: list[IntentStats]
    write_next: list[str]


def _rows(kb: KnowledgeBase, playbook: Playbook, requests: dict[str, int]) -> list[CoverageRow]:
    scripts = Counter((s.intent, s.stage) for _, s in kb.scripts.values())
    tags = Counter(tag for _, s in kb.scripts.values() for tag in s.tags)
    rows = []
    for intent, stages in INTENT_STAGES.items():
        for stage in stages:
            moves = [
                m
                for m in playbook.for_intent(intent)
                if (not m.move.stages or stage in m.move.stages)
                and not playbook.situation_of(m.move)
            ]
            own = scripts[(intent, stage)]
            answered: AnsweredBy = "shop" if own else "playbook" if moves else "nothing"
            rows.append(
                CoverageRow(
                    kind="intent",
                    name=intent,
                    label=INTENT_LABELS[intent],
                    stage=stage,
                    answered_by=answered,
                    shop_scripts=own,
                    playbook_moves=len(moves),
                    requests=requests.get(intent, 0),
                )
            )
    for situation in sorted(playbook.situations):
        moves = [m for m in playbook.moves if situation in m.move.tags]
        if situation in SPECIAL_TAGS or not (moves or tags[situation]):
            continue
        own = tags[situation]
        answered = "shop" if own else "playbook" if moves else "nothing"
        rows.append(
            CoverageRow(
                kind="situation",
                name=situation,
                label=SITUATION_LABELS.get(situation, situation),
                answered_by=answered,
                shop_scripts=own,
                playbook_moves=len(moves),
                requests=0,
            )
        )
    return rows


def _write_next(
    rows: list[CoverageRow], gaps: list[GapGroup], heavy: list[IntentStats]
) -> list[str]:
    """What to write first: gaps and heavily edited intents by traffic, then unscripted intents."""
    todo = [f"补充知识：客户常问“{g.question}”（{g.count} 次），知识库没有答案" for g in gaps[:3]]
    todo += [
        f"改进“{INTENT_LABELS.get(s.intent, s.intent)}”的话术和知识："
        f"客服修改或拒绝了 {s.intervention_rate:.0%} 的草稿"
        for s in heavy
    ]
    unscripted = sorted(
        (r for r in rows if r.kind == "intent" and r.answered_by != "shop"),
        key=lambda r: (-r.requests, r.name),
    )
    todo += [
        f"为“{r.label}”（{STAGE_LABELS[r.stage]}）写本店话术：现在"
        + ("由内置话术兜底" if r.answered_by == "playbook" else "没有任何回复")
        + (f"，收到 {r.requests} 次咨询" if r.requests else "")
        for r in unscripted
    ]
    return todo[:WRITE_NEXT]


def compute_coverage(
    kb: KnowledgeBase,
    playbook: Playbook,
    requests: dict[str, int],
    gaps: list[GapGroup],
    low_confidence: list[GapGroup],
    intents: list[IntentStats],
) -> Coverage:
    """Coverage from the knowledge, the playbook in force and the window's traffic."""
    rows = _rows(kb, playbook, requests)
    heavy = [s for s in intents if s.needs_knowledge_work]
    return Coverage(
        rows=rows,
        knowledge_gaps=gaps,
        low_confidence=low_confidence,
        needs_knowledge_work=heavy,
        write_next=_write_next(rows, gaps, heavy),
    )


def render_csv(coverage: Coverage) -> str:
    """One row per intent-stage and situation: who answers it, and the traffic it had."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(
        [
            "kind",
            "name",
            "label",
            "stage",
            "answered_by",
            "shop_scripts",
            "playbook_moves",
            "requests",
        ]
    )
    for row in coverage.rows:
        writer.writerow(
            [
                row.kind,
                row.name,
                row.label,
                row.stage,
                row.answered_by,
                row.shop_scripts,
                row.playbook_moves,
                row.requests,
            ]
        )
    return text.getvalue()


def render_html(coverage: Coverage, title: str = "知识覆盖报告") -> str:
    """A self-contained page: what to write next, the coverage table, gaps, unsure readings."""
    answered = {"shop": "本店话术", "playbook": "内置话术兜底", "nothing": "没有回复"}
    rows = "".join(
        f"<tr class='{r.answered_by}'><td>{escape(r.label)}</td>"
        f"<td>{STAGE_LABELS.get(r.stage, '情境')}</td>"
        f"<td>{answered[r.answered_by]}</td><td>{r.shop_scripts}</td>"
        f"<td>{r.playbook_moves}</td><td>{r.requests}</td></tr>"
        for r in coverage.rows
    )

    def groups(items: list[GapGroup]) -> str:
        return (
            "".join(
                f"<li>{escape(g.question)}（{g.count} 次）：{escape('；'.join(g.examples))}</li>"
                for g in items
            )
            or "<li>无</li>"
        )

    todo = "".join(f"<li>{escape(item)}</li>" for item in coverage.write_next) or "<li>无</li>"
    return f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.2em .6em;text-align:left}}
.nothing{{background:#fdd}}.playbook{{background:#ffe}}.shop{{background:#efe}}</style>
<h1>{title}</h1><h2>接下来写什么</h2><ol>{todo}</ol>
<h2>知识缺口（按意思归并，最常见的在前）</h2><ul>{groups(coverage.knowledge_gaps)}</ul>
<h2>没读准的消息</h2><ul>{groups(coverage.low_confidence)}</ul>
<h2>每个意图和情境由谁回答</h2><table><tr><th>意图/情境</th><th>阶段</th><th>回答</th>
<th>本店话术</th><th>内置话术</th><th>咨询次数</th></tr>{rows}</table></html>"""


def render_text(coverage: Coverage) -> str:
    """The summary a terminal shows: counts, what to write next, the biggest gaps."""
    counts = Counter(row.answered_by for row in coverage.rows)
    lines = [
        f"intents and situations: {counts['shop']} answered by the shop's scripts, "
        f"{counts['playbook']} by the built-in playbook, {counts['nothing']} by nothing",
        "write next:",
        *(f"  {n}. {item}" for n, item in enumerate(coverage.write_next, 1)),
        "knowledge gaps:",
        *(f"  {g.count} × {g.question}" for g in coverage.knowledge_gaps[:10]),
        "unsure readings:",
        *(f"  {g.count} × {g.question}" for g in coverage.low_confidence[:10]),
    ]
    return "\n".join(lines)
