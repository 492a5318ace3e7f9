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
  if (currentShop()) params.set("shop", currentShop());
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
    trends(a.days);
    // coverage is one shop's knowledge: with several shops and "all" chosen there is none to show
    if (shopSelect && !shopSelect.hidden && !currentShop()) {
      document.getElementById("write-next").replaceChildren(el("li", {}, "选择一个店铺查看它的知识覆盖"));
      document.getElementById("coverage").replaceChildren();
    } else {
      await loadCoverage(params);
    }
  } catch (e) { document.getElementById("error").textContent = e.message; }
}

// Per-day trends: one small line chart per measure, drawn as SVG (no chart library).
const SERIES = [
  ["requests", "请求"], ["accepted_rate", "采纳率"], ["intervention_rate", "人工干预率"],
  ["escalations", "转人工"], ["knowledge_gaps", "知识缺口"],
];

function sparkline(values, rate) {
  const width = 240, height = 60, top = rate ? 1 : Math.max(1, ...values.map(v => v || 0));
  const x = i => values.length < 2 ? width / 2 : (i * (width - 10)) / (values.length - 1) + 5;
  const y = v => height - 5 - ((v || 0) / top) * (height - 10);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  const line = document.createElementNS(svg.namespaceURI, "polyline");
  line.setAttribute("points", values.map((v, i) => `${x(i)},${y(v)}`).join(" "));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#3b7dd8");
  line.setAttribute("stroke-width", "2");
  svg.append(line);
  for (const [i, v] of values.entries()) {
    const dot = document.createElementNS(svg.namespaceURI, "circle");
    dot.setAttribute("cx", x(i));
    dot.setAttribute("cy", y(v));
    dot.setAttribute("r", "3");
    dot.setAttribute("fill", "#3b7dd8");
    svg.append(dot);
  }
  return svg;
}

function trends(days) {
  const box = document.getElementById("trends");
  if (!days.length) { box.replaceChildren(el("p", {}, "这段时间还没有数据")); return; }
  const span = `${days[0].date} 至 ${days[days.length - 1].date}`;
  box.replaceChildren(...SERIES.map(([key, name]) => {
    const values = days.map(d => d[key]);
    const last = values[values.length - 1];
    const shown = key.endsWith("rate") ? pct(last) : String(last);
    return el("div", {class: "card", "data-trend": key},
      el("b", {}, shown), `${name}（每天，${span}）`, sparkline(values, key.endsWith("rate")));
  }));
}

// The coverage view: what to write next, and who answers each intent and situation.
async function loadCoverage(params) {
  const c = await api("GET", "/v1/coverage?" + params);
  document.getElementById("write-next").replaceChildren(...c.write_next.map(item => el("li", {}, item)));
  document.getElementById("coverage").replaceChildren(
    el("tr", {}, ...["意图/情境", "阶段", "由谁回答", "本店话术", "内置话术", "咨询"].map(t => el("th", {}, t))),
    ...c.rows.map(r => el("tr", {"data-coverage": r.answered_by},
      el("td", {}, r.label), el("td", {}, r.stage ? label(r.stage) : "情境"),
      el("td", {}, label(r.answered_by)), el("td", {}, String(r.shop_scripts)),
      el("td", {}, String(r.playbook_moves)), el("td", {}, String(r.requests)))));
}

document.getElementById("load").onclick = load;
if (shopSelect) shopSelect.addEventListener("shopchange", load);
load();
