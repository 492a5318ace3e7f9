// The analytics page: the same numbers as GET /v1/analytics, as bars and tables.
const pct = v => v === null || v === undefined ? "–" : (v * 100).toFixed(1) + "%";

function bar(value, hot) {
  return el("span", {class: "bar" + (hot ? " hot" : ""), style: `width:${Math.round((value || 0) * 200)}px`});
}

async function load() {
  const params = new URLSearchParams();
  for (const name of ["since", "until"]) {
    const value = document.getElementById(name).value;
    if (value) params.set(name, value);
  }
  try {
    const a = await api("GET", "/v1/analytics?" + params);
    document.getElementById("error").textContent = "";
    const card = (label, value) => el("div", {class: "card"}, el("b", {}, String(value)), label);
    document.getElementById("cards").replaceChildren(
      card("请求", a.requests), card("反馈", a.feedback), card("转人工率", pct(a.escalation_rate)),
      card("延迟 p50", a.latency_p50_ms === null ? "–" : a.latency_p50_ms + " ms"),
      card("延迟 p95", a.latency_p95_ms === null ? "–" : a.latency_p95_ms + " ms"));
    document.getElementById("intents").replaceChildren(
      el("tr", {}, ...["意图", "请求", "反馈", "采纳", "修改", "拒绝", "人工干预"].map(t => el("th", {}, t))),
      ...a.top_intents.map(s => el("tr", {"data-intent": s.intent},
        el("td", {}, label(s.intent)), el("td", {}, String(s.requests)), el("td", {}, String(s.feedback)),
        el("td", {}, pct(s.accepted_rate)), el("td", {}, pct(s.edited_rate)), el("td", {}, pct(s.rejected_rate)),
        el("td", {}, bar(s.intervention_rate, s.needs_knowledge_work), " ", pct(s.intervention_rate),
          s.needs_knowledge_work ? el("b", {class: "error"}, " 需补充知识") : ""))));
    document.getElementById("gaps").replaceChildren(
      el("tr", {}, el("th", {}, "问题"), el("th", {}, "次数")),
      ...a.knowledge_gaps.map(g => el("tr", {}, el("td", {}, g.question), el("td", {}, String(g.count)))));
    document.getElementById("hits").replaceChildren(
      el("tr", {}, el("th", {}, "类别"), el("th", {}, "次数")),
      ...Object.entries(a.compliance_hits).map(([c, n]) => el("tr", {}, el("td", {}, label(c)), el("td", {}, String(n)))));
    await loadCoverage(params);
  } catch (e) { document.getElementById("error").textContent = e.message; }
}

// The coverage view: what to write next, and who answers each intent and situation.
async function loadCoverage(params) {
  const c = await api("GET", "/v1/coverage?" + params);
  document.getElementById("write-next").replaceChildren(...c.write_next.map(item => el("li", {}, item)));
  document.getElementById("coverage").replaceChildren(
    el("tr", {}, ...["意图/情境", "阶段", "由谁回答", "本店话术", "内置话术", "咨询"].map(t => el("th", {}, t))),
    ...c.rows.map(r => el("tr", {"data-coverage": r.answered_by},
      el("td", {}, label(r.name)), el("td", {}, r.stage ? label(r.stage) : "情境"),
      el("td", {}, label(r.answered_by)), el("td", {}, String(r.shop_scripts)),
      el("td", {}, String(r.playbook_moves)), el("td", {}, String(r.requests)))));
}

document.getElementById("load").onclick = load;
load();
