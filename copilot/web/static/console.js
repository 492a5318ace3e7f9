// The agents' console: ask for drafts, copy one, give feedback, lint your own reply.
// A turn header as chat workbenches copy it: a name, then a time ("小美 2026-11-30 10:21:33",
// "客服小禾 10:22"); the lines under it are the turn's text.
const TURN_HEADER = /^(.{1,40}?)\s*[（(]?\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*[)）]?$/;
const AGENT_NAME = /客服|小二|店长|官方|旗舰店|售后|售前|助手/;

function parseHistory(text) {
  const lines = text.split("\n").map(line => line.trim()).filter(Boolean);
  if (lines.some(line => TURN_HEADER.test(line))) {
    const turns = [];
    for (const line of lines) {
      const header = line.match(TURN_HEADER);
      if (header) turns.push({role: AGENT_NAME.test(header[1]) ? "agent" : "customer", text: ""});
      else if (turns.length) turns[turns.length - 1].text += (turns[turns.length - 1].text ? "\n" : "") + line;
    }
    return turns.filter(turn => turn.text);
  }
  return lines.map(line => {
    const agent = /^客服[:：]/.test(line);
    return {role: agent ? "agent" : "customer", text: line.replace(/^(顾客|客服)[:：]\s*/, "")};
  });
}

function badges(r) {
  const box = document.getElementById("badges");
  box.replaceChildren(
    el("span", {"data-badge": "intent", title: "模型对意图的把握"},
      `意图：${label(r.intent)}（置信度 ${Math.round(r.confidence * 100)}%）`),
    el("span", {"data-badge": "stage"}, `阶段：${label(r.stage)}`),
    el("span", {"data-badge": "emotion", class: "badge-" + r.emotion}, `情绪：${label(r.emotion)}`),
    el("span", {"data-badge": "urgency"}, `紧急：${label(r.urgency)}`),
    ...r.flags.map(f => el("span", {"data-badge": "flag", class: "badge-angry"}, `风险：${label(f)}`)),
  );
}

function draftCard(r, draft, index) {
  const status = el("div", {class: "status"});
  const text = highlighted(draft.text, draft.compliance.hits);
  // a draft from the built-in playbook says so: the shop has not written this answer yet
  const playbook = draft.citations.some(c => c.type === "playbook");
  const card = el("div", {class: "draft", "data-draft": String(index)},
    el("h3", {}, `${index + 1}. ${draft.strategy}`,
      ...(playbook ? [" ", el("span", {"data-badge": "playbook"}, "通用话术")] : [])), text);
  for (const c of draft.citations) {
    const source = c.type === "playbook" && c.source === "playbook" ? "内置通用话术" : c.source;
    card.append(el("details", {}, el("summary", {}, `引用 ${c.id}`), `${source}：${c.snippet}`));
  }
  if (!draft.compliance.passed) {
    card.append(el("div", {class: "notice"}, "已自动移除违规用语：" +
      draft.compliance.removed.map(h => h.matched).join("、")));
  }
  const send = async (action, extra = {}) => {
    const result = await api("POST", "/v1/feedback",
      {request_id: r.request_id, draft_index: index, action, ...extra});
    status.textContent = {accepted: "已采纳", edited: "已记录修改", rejected: "已拒绝"}[action];
    return result;
  };
  const copy = el("button", {class: "light", "data-action": "copy"}, "复制");
  copy.onclick = async () => {
    await navigator.clipboard.writeText(draft.text);
    status.textContent = "已复制";
  };
  const accept = el("button", {"data-action": "accept"}, "采纳");
  accept.onclick = () => send("accepted").catch(e => status.textContent = e.message);
  const reject = el("button", {class: "light", "data-action": "reject"}, "拒绝");
  reject.onclick = () => send("rejected").catch(e => status.textContent = e.message);
  const edit = el("button", {class: "light", "data-action": "edit"}, "修改");
  edit.onclick = () => {
    const area = el("textarea", {rows: "4", "data-edit": "text"});
    area.value = draft.text;
    const submit = el("button", {"data-action": "submit-edit"}, "检查并提交");
    const report = el("div", {"data-edit": "report"});
    submit.onclick = async () => {
      try {
        const check = await api("POST", "/v1/compliance/check", {text: area.value, shop: currentShop()});
        report.replaceChildren(highlighted(area.value, check.hits), hitList(check.hits));
        if (!check.passed) {
          status.textContent = "有违禁用语，请修改后再提交";
          return;
        }
        await send("edited", {final_text: area.value});
      } catch (e) { status.textContent = e.message; }
    };
    card.append(area, submit, report);
    edit.disabled = true;
  };
  card.append(el("div", {}, copy, accept, edit, reject), status);
  return card;
}

async function ask() {
  const error = document.getElementById("request-error");
  error.textContent = "";
  const body = {message: document.getElementById("message").value, n: 3};
  if (currentShop()) body.shop = currentShop();
  const history = parseHistory(document.getElementById("history").value);
  if (history.length) body.history = history;
  const sku = document.getElementById("sku").value.trim();
  if (sku) body.sku = sku;
  const status = document.getElementById("order-status").value;
  if (status) body.order = {status};
  try {
    const r = await api("POST", "/v1/drafts", body);
    document.getElementById("result").hidden = false;
    const banner = document.getElementById("escalation");
    banner.hidden = !r.escalate.needed;
    banner.textContent = r.escalate.needed ? "请转资深客服：" + r.escalate.reason : "";
    document.getElementById("gap").hidden = !r.knowledge_gap;
    badges(r);
    document.getElementById("drafts").replaceChildren(...r.drafts.map((d, i) => draftCard(r, d, i)));
  } catch (e) { error.textContent = e.message; }
}

async function checkOwn() {
  const text = document.getElementById("own-reply").value;
  const box = document.getElementById("check-result");
  try {
    const check = await api("POST", "/v1/compliance/check", {text, shop: currentShop()});
    const verdict = el("div", {class: check.passed ? "status" : "error"},
      check.passed ? "没有违禁用语" : "发现违禁用语，建议改为：" + check.cleaned);
    box.replaceChildren(highlighted(text, check.hits), hitList(check.hits), verdict);
  } catch (e) { box.replaceChildren(el("div", {class: "error"}, e.message)); }
}

document.getElementById("submit").onclick = ask;
document.getElementById("check").onclick = checkOwn;

// Shortcuts agents expect (listed on the page): Ctrl+Enter drafts, Alt+1-3 copies a draft,
// Alt+Shift+1-3 accepts it, Alt+N clears for the next message.
document.addEventListener("keydown", event => {
  const press = selector => { const button = document.querySelector(selector); if (button) button.click(); };
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    ask();
  } else if (event.altKey && /^Digit[1-3]$/.test(event.code)) {
    event.preventDefault();
    const index = Number(event.code.slice(-1)) - 1;
    press(`[data-draft='${index}'] [data-action='${event.shiftKey ? "accept" : "copy"}']`);
  } else if (event.altKey && event.code === "KeyN") {
    event.preventDefault();
    for (const id of ["message", "history", "sku"]) document.getElementById(id).value = "";
    document.getElementById("result").hidden = true;
    document.getElementById("message").focus();
  }
});
