// Shared by the console and the analytics page: the API key kept for the browser session.
const keyInput = document.getElementById("api-key");
if (keyInput) {
  keyInput.value = sessionStorage.getItem("copilotKey") || "";
  keyInput.addEventListener("change", () => sessionStorage.setItem("copilotKey", keyInput.value.trim()));
}

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
    const note = `${hit.category}${hit.replacement ? " → " + hit.replacement : ""}：${hit.explanation}`;
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
