"""report.json and a self-contained report.html (inline CSS and SVG, no scripts or downloads)."""

from html import escape
from pathlib import Path

from copilot.evaluation.runner import EvalReport

HEADLINE = [
    ("intent_accuracy", "意图准确率", "pct"),
    ("emotion_accuracy", "情绪准确率", "pct"),
    ("angry_recall", "愤怒识别召回率", "pct"),
    ("angry_precision", "愤怒识别精确率", "pct"),
    ("fact_coverage", "要点覆盖", "pct"),
    ("empathy", "共情开场", "pct"),
    ("grounding", "有据可查", "pct"),
    ("compliance_violations", "合规违规", "count"),
    ("escalation_precision", "转人工精确率", "pct"),
    ("escalation_recall", "转人工召回率", "pct"),
    ("gap_precision", "知识缺口精确率", "pct"),
    ("gap_recall", "知识缺口召回率", "pct"),
    ("retrieval_recall_at_k", "检索召回@5", "pct"),
    ("retrieval_mrr", "检索 MRR", "num"),
    ("reference_cosine", "与参考回复相似度", "num"),
    ("rouge_l", "ROUGE-L（字）", "num"),
    ("latency_p50_ms", "延迟 p50", "ms"),
    ("latency_p95_ms", "延迟 p95", "ms"),
]
STYLE = """
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ddd;border-radius:8px;
padding:10px 14px;min-width:120px}.card b{display:block;font-size:22px}.card span{color:#666;
font-size:12px}.bad b{color:#c0392b}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top}.heat td{text-align:center;
min-width:26px}.fail td{max-width:360px}.muted{color:#888;font-size:12px}
"""


def _value(value: float | None, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "ms":
        return f"{value:.1f} ms"
    if kind == "count":
        return f"{value:g}"
    return f"{value:.3f}"


def _cards(report: EvalReport) -> str:
    cards = []
    for name, label, kind in HEADLINE:
        value = report.metrics.get(name)
        bad = name == "compliance_violations" and value
        cards.append(
            f'<div class="card{" bad" if bad else ""}"><b>{_value(value, kind)}</b>'
            f"<span>{escape(label)}<br>{name}</span></div>"
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def _bars(items: list[tuple[str, float, str]], width: int = 420) -> str:
    """Horizontal bars: (label, fraction 0-1, text)."""
    row = 22
    parts = []
    for i, (label, fraction, text) in enumerate(items):
        y = i * row
        length = max(0.0, min(1.0, fraction)) * width
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12">{escape(label)}</text>'
            f'<rect x="150" y="{y + 4}" width="{length:.1f}" height="14" fill="#3b7dd8"/>'
            f'<text x="{155 + length:.1f}" y="{y + 15}" font-size="12">{escape(text)}</text>'
        )
    return (
        f'<svg width="{width + 260}" height="{len(items) * row + 4}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def _per_intent(report: EvalReport) -> str:
    items = [
        (intent, row["accuracy"], f"{row['accuracy'] * 100:.0f}% ({row['cases']:g})")
        for intent, row in report.per_intent.items()
    ]
    return _bars(items)


def _heat_map(report: EvalReport) -> str:
    labels, matrix = report.confusion["labels"], report.confusion["matrix"]
    head = "".join(f"<th>{escape(label[:8])}</th>" for label in labels)
    rows = []
    for label, counts in zip(labels, matrix, strict=True):
        total = sum(counts) or 1
        cells = []
        for j, count in enumerate(counts):
            share = count / total
            hue = "59,125,216" if labels[j] == label else "192,57,43"
            style = f"background:rgba({hue},{share:.2f})" if count else ""
            cells.append(f'<td style="{style}">{count or ""}</td>')
        rows.append(f"<tr><th>{escape(label)}</th>{''.join(cells)}</tr>")
    return f'<table class="heat"><tr><th>期望 \\ 实际</th>{head}</tr>{"".join(rows)}</table>'


def _latency(report: EvalReport) -> str:
    bounds, counts = report.latency_histogram["upper_ms"], report.latency_histogram["counts"]
    top = max(counts) or 1
    items = [
        (f"≤ {bound} ms" if bound is not None else "更慢", count / top, str(count))
        for bound, count in zip(bounds, counts, strict=True)
    ]
    return _bars(items, width=300)


def _failures(report: EvalReport) -> str:
    rows = []
    for case in report.results:
        if not case.failed:
            continue
        facts = "；".join(" / ".join(group) for group in case.expected_facts) or "–"
        draft = case.drafts[0] if case.drafts else (case.error or "（无草稿）")
        rows.append(
            "<tr>"
            f"<td>{escape(case.id)}<div class='muted'>{escape(', '.join(case.tags))}</div></td>"
            f"<td>{escape(case.message)}</td>"
            f"<td>{escape(case.expected_intent)} → {escape(str(case.intent))}</td>"
            f"<td>{escape(draft)}</td>"
            f"<td>要点：{escape(facts)}<div class='muted'>参考：{escape(case.reference)}</div></td>"
            f"<td>{'<br>'.join(escape(r) for r in case.reasons) or escape(case.error or '')}</td>"
            "</tr>"
        )
    if not rows:
        return "<p>没有未通过的用例。</p>"
    head = "".join(
        f"<th>{title}</th>" for title in ("用例", "顾客消息", "意图", "第一条草稿", "期望", "原因")
    )
    head = f"<tr>{head}</tr>"
    return f'<table class="fail">{head}{"".join(rows)}</table>'


TRANSFER_TITLES = {
    "realistic-2": "真实风格测试集 2（门槛集：训练数据定稿后单独编写，含 8 个训练中没有的类目）",
    "realistic-1": "真实风格测试集 1（开发中看过一次，用于发现训练数据的缺口）",
    "loco": "留一类目交叉验证（训练时去掉该类目）",
}


def _transfer(report: EvalReport) -> str:
    if not report.transfer:
        return "<p class='muted'>只在进程内评测时计算（--url 评测远程服务时没有）。</p>"
    parts = []
    head = "".join(
        f"<th>{t}</th>"
        for t in ("分组", "消息数", "意图", "情绪", "愤怒精确率", "愤怒召回率", "转人工召回率")
    )
    for transfer in report.transfer:
        rows = [("全部", transfer.overall)] + list(transfer.groups.items())
        body = "".join(
            f"<tr><th>{escape(name)}</th><td>{scores.messages}</td>"
            + "".join(
                f"<td>{_value(getattr(scores, field), 'pct')}</td>"
                for field in (
                    "intent_accuracy",
                    "emotion_accuracy",
                    "angry_precision",
                    "angry_recall",
                    "escalation_recall",
                )
            )
            + "</tr>"
            for name, scores in rows
        )
        wrong = "".join(
            f"<tr><td>{escape(w['text'])}</td><td>{escape(w['intent'])} → "
            f"{escape(w['predicted_intent'])}</td><td>{escape(w['emotion'])} → "
            f"{escape(w['predicted_emotion'])}</td><td>{w['confidence']:.2f}</td></tr>"
            for w in transfer.wrong[:30]
        )
        parts.append(
            f"<h3>{escape(TRANSFER_TITLES.get(transfer.name, transfer.name))}</h3>"
            f"<table><tr>{head}</tr>{body}</table>"
            f"<p class='muted'>读错的消息（最多 30 条）</p><table class='fail'>"
            f"<tr><th>消息</th><th>意图</th><th>情绪</th><th>置信度</th></tr>{wrong}</table>"
        )
    return "".join(parts)


def render_html(report: EvalReport) -> str:
    """The whole page."""
    failed = sum(1 for case in report.results if case.failed)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>回复助手评测报告</title>
<style>{STYLE}</style></head><body>
<h1>回复助手评测报告</h1>
<p class="muted">{escape(report.target)} · 黄金集 {escape(report.golden)} · {report.cases} 个用例 ·
{failed} 个有未达标项 · {escape(report.created)}</p>
<h2>核心指标</h2>{_cards(report)}
<h2>各意图准确率</h2>{_per_intent(report)}
<h2>意图混淆矩阵</h2>{_heat_map(report)}
<h2>理解模型的迁移</h2>{_transfer(report)}
<h2>延迟分布</h2>{_latency(report)}
<h2>未达标用例</h2>{_failures(report)}
</body></html>
"""


def write_reports(report: EvalReport, folder: Path) -> tuple[Path, Path]:
    """report.json and report.html in folder (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path, html_path = folder / "report.json", folder / "report.html"
    json_path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path
