"""The analytics as a self-contained HTML page or CSV (per-intent rows) for `copilot report`."""

import csv
import io
from html import escape

from copilot.feedback.analytics import INTERVENTION_LIMIT, Analytics

STYLE = """
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:4px 8px}.flag{color:#c0392b;font-weight:bold}
.bar{display:inline-block;height:10px;background:#3b7dd8}.muted{color:#888}
"""
CSV_FIELDS = (
    "intent",
    "requests",
    "feedback",
    "accepted_rate",
    "edited_rate",
    "rejected_rate",
    "intervention_rate",
    "needs_knowledge_work",
)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def render_csv(analytics: Analytics) -> str:
    """One row per intent."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for stats in analytics.top_intents:
        writer.writerow(stats.model_dump(include=set(CSV_FIELDS)))
    return buffer.getvalue()


def render_html(analytics: Analytics, title: str = "客服助手运营报表") -> str:
    """Headline numbers, per-intent table with flags and bars, gap questions, compliance hits."""
    rows = []
    for s in analytics.top_intents:
        flag = '<span class="flag">需补充知识</span>' if s.needs_knowledge_work else ""
        width = int((s.intervention_rate or 0) * 200)
        rows.append(
            f"<tr><td>{escape(s.intent)}</td><td>{s.requests}</td><td>{s.feedback}</td>"
            f"<td>{_pct(s.accepted_rate)}</td><td>{_pct(s.edited_rate)}</td>"
            f"<td>{_pct(s.rejected_rate)}</td><td><span class='bar' style='width:{width}px'>"
            f"</span> {_pct(s.intervention_rate)} {flag}</td></tr>"
        )
    gaps = "".join(
        f"<tr><td>{escape(g.question)}</td><td>{g.count}</td>"
        f"<td class='muted'>{escape(' / '.join(g.examples[1:]))}</td></tr>"
        for g in analytics.knowledge_gaps
    )
    hits = "".join(
        f"<tr><td>{escape(c)}</td><td>{n}</td></tr>" for c, n in analytics.compliance_hits.items()
    )
    latency = (
        f"{analytics.latency_p50_ms} / {analytics.latency_p95_ms} ms"
        if analytics.latency_p50_ms is not None
        else "–"
    )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{escape(title)}</h1>
<p>请求 {analytics.requests} 次 · 反馈 {analytics.feedback} 条 · 转人工率
{_pct(analytics.escalation_rate)} · 延迟 p50 / p95 {latency}</p>
<h2>各意图采纳情况（人工干预超过 {INTERVENTION_LIMIT:.0%} 的意图需要补充知识）</h2>
<table><tr><th>意图</th><th>请求</th><th>反馈</th><th>采纳</th><th>修改</th><th>拒绝</th>
<th>人工干预</th></tr>{"".join(rows)}</table>
<h2>知识缺口问题（按相似度归类）</h2>
<table><tr><th>问题</th><th>次数</th><th>类似问法</th></tr>
{gaps or "<tr><td colspan=3>无</td></tr>"}</table>
<h2>合规拦截（按类别）</h2>
<table><tr><th>类别</th><th>次数</th></tr>{hits or "<tr><td colspan=2>无</td></tr>"}</table>
</body></html>
"""
