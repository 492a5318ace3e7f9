// The agents' console: ask for drafts, copy one, give feedback, lint your own reply.
const LABELS = {
  calm: "平静", anxious: "焦虑", angry: "愤怒", low: "低", medium: "中", high: "高",
  presale: "售前", insale: "售中", aftersale: "售后",
};

function parseHistory(text) {
  return text.split("\n").map(line => line.trim()).filter(Boolean).map(line => {
    const agent = /^客服[:：]/.test(line);
    return {role: agent ? "agent" : "customer", text: line.replace(/^(顾客|客服)[:：]\s*/, "")};
  });
}

function badges(r) {
  const box = document.getElementById("badges");
  box.replaceChildren(
    el("span", {"data-badge": "intent", title: "模型对意图的把握"},
      `意图：${r.intent}（置信度 ${Math.round(r.confidence * 100)}%）`),
    el("span", {"data-badge": "stage"}, `阶段：${LABELS[r.stage]}`),
    el("span", {"data-badge": "emotion", class: "badge-" + r.emotion}, `情绪：${LABELS[r.emotion]}`),
    el("span", {"data-badge": "urgency"}, `紧急：${LABELS[r.urgency]}`),
    ...r.flags.map(f => el("span", {"data-badge": "flag", class: "badge-angry"}, `风险：${f}`)),
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
        const check = await api("POST", "/v1/compliance/check", {text: area.value});
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
    const check = await api("POST", "/v1/compliance/check", {text});
    const verdict = el("div", {class: check.passed ? "status" : "error"},
      check.passed ? "没有违禁用语" : "发现违禁用语，建议改为：" + check.cleaned);
    box.replaceChildren(highlighted(text, check.hits), hitList(check.hits), verdict);
  } catch (e) { box.replaceChildren(el("div", {class: "error"}, e.message)); }
}

document.getElementById("submit").onclick = ask;
document.getElementById("check").onclick = checkOwn;
