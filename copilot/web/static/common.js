// Shared by the console and the analytics page: the API key kept for the browser session.
const keyInput = document.getElementById("api-key");
if (keyInput) {
  keyInput.value = sessionStorage.getItem("copilotKey") || "";
  keyInput.addEventListener("change", () => sessionStorage.setItem("copilotKey", keyInput.value.trim()));
}

// The shop selector: the shops the key may use (GET /v1/shops), shown when the server has several.
const shopSelect = document.getElementById("shop");
const currentShop = () => (shopSelect && !shopSelect.hidden && shopSelect.value) || null;

async function loadShops() {
  if (!shopSelect) return;
  let listed;
  try { listed = await api("GET", "/v1/shops"); } catch (e) { shopSelect.hidden = true; return; }
  const options = listed.shops.map(s =>
    el("option", {value: s.shop}, s.shop + (s.problem ? "（未就绪）" : "")));
  if ("all" in shopSelect.dataset) options.unshift(el("option", {value: ""}, "全部店铺"));
  shopSelect.replaceChildren(...options);
  const saved = sessionStorage.getItem("copilotShop");
  if (saved !== null && [...shopSelect.options].some(o => o.value === saved)) shopSelect.value = saved;
  shopSelect.hidden = !listed.many;
  document.querySelectorAll("label[for=shop]").forEach(l => l.hidden = !listed.many);
  shopSelect.dispatchEvent(new Event("shopchange"));
}

if (shopSelect) {
  shopSelect.addEventListener("change", () => {
    sessionStorage.setItem("copilotShop", shopSelect.value);
    shopSelect.dispatchEvent(new Event("shopchange"));
  });
  if (keyInput) keyInput.addEventListener("change", loadShops);
  document.addEventListener("DOMContentLoaded", loadShops);
}

// What agents read instead of codes: intents, stages, moods, flags, lexicon categories, modes.
const LABELS = {
  greeting: "问候", product_info: "商品咨询", size_advice: "尺码建议", promotion: "优惠活动",
  payment: "付款", order_change: "修改订单", shipping: "发货物流", return_exchange: "退换货",
  refund: "退款", quality_issue: "质量问题", complaint: "投诉", invoice: "发票", other: "其他",
  calm: "平静", anxious: "焦虑", angry: "愤怒", low: "低", medium: "中", high: "高",
  presale: "售前", insale: "售中", aftersale: "售后",
  phishing_link: "可疑链接", prompt_injection: "指令注入", pii: "个人信息",
  off_platform_contact: "站外联系", absolute_terms: "绝对化用语", false_authority: "虚假权威",
  medical_claims: "医疗用语", efficacy_claims: "功效宣称", review_manipulation: "操纵评价",
  overpromise: "过度承诺", insults: "辱骂顾客", pressure: "制造紧迫",
  offline: "离线", llm: "大模型", fallback: "降级",
  shop: "本店话术", playbook: "内置话术兜底", nothing: "没有回复",
};
const label = code => LABELS[code] || code;

async function api(method, path, body) {
  const headers = {"Content-Type": "application/json"};
  const key = sessionStorage.getItem("copilotKey");
  if (key) headers["Authorization"] = "Bearer " + key;
  const response = await fetch(path, {method, headers, body: body ? JSON.stringify(body) : undefined});
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail || data);
    throw new Error(`${response.status}: ${detail}`);
  }
  return data;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value; else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// Text with compliance hits wrapped in <mark>, built from spans (never innerHTML of user text).
// The API counts characters as code points (Python); JavaScript strings count UTF-16 units, so
// an emoji before a hit would shift it: slice an array of code points instead.
function highlighted(text, hits) {
  const box = el("div", {class: "text"});
  const chars = Array.from(text);
  const part = (from, to) => chars.slice(from, to).join("");
  let at = 0;
  for (const hit of [...hits].sort((a, b) => a.start - b.start)) {
    if (hit.start < at) continue;
    box.append(part(at, hit.start));
    const note = `${label(hit.category)}${hit.replacement ? " → " + hit.replacement : ""}：${hit.explanation}`;
    box.append(el("mark", {class: hit.severity === "warn" ? "warn" : "block", title: note}, part(hit.start, hit.end)));
    at = hit.end;
  }
  box.append(part(at, chars.length));
  return box;
}

function hitList(hits) {
  return el("ul", {class: "hits"}, ...hits.map(h => el("li", {},
    `「${h.matched}」${h.category}（${h.severity === "block" ? "禁止" : "提醒"}）` +
    (h.replacement ? `，建议改为「${h.replacement}」` : "") + `：${h.explanation}`)));
}
