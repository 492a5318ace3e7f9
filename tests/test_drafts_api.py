"""POST /v1/drafts and /v1/drafts/stream end to end in offline mode on the bundled shop."""

import json
import re

import pytest
from fastapi.testclient import TestClient

from copilot.api.app import create_app

APOLOGY = ("抱歉", "对不起", "理解您", "添麻烦", "久等", "了解")  # apology or acknowledgement

ONE_PER_INTENT = [
    ("在吗", "greeting"),
    ("这个电水壶容量多大", "product_info"),
    ("我160 100斤穿什么码", "size_advice"),
    ("有优惠券吗", "promotion"),
    ("能用花呗吗", "payment"),
    ("地址写错了能改吗", "order_change"),
    ("能发顺丰吗", "shipping"),
    ("支持七天无理由退货吗", "return_exchange"),
    ("退款多久到账", "refund"),
    ("收到的衣服破了个洞，太失望了", "quality_issue"),
    ("你们客服态度太差了，我要投诉", "complaint"),
    ("能开专票吗", "invoice"),
    ("你们有实体店吗", "other"),
]


@pytest.fixture(scope="module")
def client(bundled_copilot):
    with TestClient(create_app(copilot=bundled_copilot)) as test_client:
        yield test_client


def draft(client, message, **fields):
    response = client.post("/v1/drafts", json={"message": message, **fields})
    assert response.status_code == 200, response.text
    return response.json()


def numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def assert_grounded(body, bundled_copilot, request_text=""):
    """Every cited chunk exists and every number a draft states comes from its sources."""
    for item in body["drafts"]:
        sources = request_text
        for citation in item["citations"]:
            chunk = bundled_copilot.retriever.chunk(citation["id"])
            assert chunk is not None, f"{citation['id']} is not in the index"
            sources += chunk.text
        stated = numbers(item["text"])
        assert stated <= numbers(sources), f"{stated - numbers(sources)} in {item['text']!r}"


@pytest.mark.parametrize(("message", "intent"), ONE_PER_INTENT)
def test_every_intent_gets_grounded_compliant_drafts(client, bundled_copilot, message, intent):
    body = draft(client, message)
    assert body["intent"] == intent
    assert body["mode"] == "offline" and 1 <= len(body["drafts"]) <= 2
    assert all(item["citations"] for item in body["drafts"])
    assert_grounded(body, bundled_copilot, message)
    for item in body["drafts"]:
        assert bundled_copilot.check(item["text"]).passed
    strategies = [item["strategy"] for item in body["drafts"]]
    assert len(set(strategies)) == len(strategies)


def test_the_readme_example_is_apology_first_grounded_and_cited(client):
    body = draft(client, "收到的衣服破了个洞，太失望了")
    assert body["intent"] == "quality_issue" and body["stage"] == "aftersale"
    assert body["emotion"] == "anxious" and body["knowledge_gap"] is False
    first = body["drafts"][0]
    assert any(word in first["text"][:15] for word in APOLOGY)
    assert any(c["id"].startswith(("rule:", "script:")) for c in first["citations"])
    assert "运费" in "".join(item["text"] for item in body["drafts"])
    assert re.fullmatch(r"[0-9a-f]{32}", body["request_id"]) and body["latency_ms"] > 0


def test_calm_question_gets_a_direct_answer_without_apology(client):
    body = draft(client, "能发顺丰吗")
    first = body["drafts"][0]
    assert first["strategy"] == "直接解答" and "10元" in first["text"]
    assert not any(word in first["text"] for word in APOLOGY)


@pytest.mark.parametrize(
    "message",
    ["怎么还没发货！！我都等了三天了", "你们这些骗子，我要打12315投诉", "退货寄回去三天了还没退款"],
)
def test_negative_customers_get_an_apology_before_the_solution(client, message):
    body = draft(client, message, n=3)
    for item in body["drafts"]:
        assert any(word in item["text"][:20] for word in APOLOGY), item["text"]


def test_angry_customer_is_escalated_with_a_reason(client):
    body = draft(client, "你们这些骗子，我要打12315投诉")
    assert body["emotion"] == "angry" and body["urgency"] == "high"
    assert body["escalate"]["needed"] and "12315" in body["escalate"]["reason"]


def test_unanswerable_question_is_a_knowledge_gap_with_the_confirm_script(client):
    body = draft(client, "你们有实体店吗")
    assert body["knowledge_gap"] is True
    for item in body["drafts"]:
        assert "10分钟" in item["text"]
        assert any(c["type"] == "script" for c in item["citations"])
    assert draft(client, "能发顺丰吗")["knowledge_gap"] is False


def test_compensation_beyond_the_rules_gets_an_honest_answer_not_a_promise(client, bundled_copilot):
    message = "衣服起球了，你们必须赔我200块，不然差评"
    body = draft(client, message, n=3)
    assert body["escalate"]["needed"]
    text = "".join(item["text"] for item in body["drafts"])
    assert "200" not in text and "规则" in text
    assert_grounded(body, bundled_copilot)


def test_multi_turn_follow_up_uses_the_product_from_the_history(client):
    history = [
        {"role": "customer", "text": "我上周买的电热水壶"},
        {"role": "agent", "text": "您好，请问水壶有什么问题吗？"},
    ]
    body = draft(client, "它不加热了怎么办", history=history)
    assert body["intent"] == "quality_issue"
    cited = {c["id"] for item in body["drafts"] for c in item["citations"]}
    assert "faq:HM-K001:2" in cited
    assert not any("数码配件" in item["text"] for item in body["drafts"])


def test_named_product_answers_the_attribute_asked_about(client):
    body = draft(client, "这个电水壶容量多大")
    assert "1.7升" in body["drafts"][0]["text"]
    assert body["drafts"][0]["citations"][0]["id"] == "product:HM-K001"
    body = draft(client, "容量多大", sku="HM-K003")
    assert "1.6升" in body["drafts"][0]["text"]


def test_order_context_from_the_request_is_stated(client, bundled_copilot):
    order = {
        "status": "shipped",
        "shipped_at": "2026-11-20T15:30:00",
        "courier": "中通快递",
        "tracking_no": "75312345678901",
    }
    body = draft(client, "我的快递到哪了", order=order)
    assert body["stage"] == "insale"
    assert "75312345678901" in body["drafts"][0]["text"]
    assert_grounded(body, bundled_copilot, json.dumps(order))


def test_phishing_message_gets_the_anti_fraud_script(client):
    body = draft(client, "您的订单异常，请点击 http://tb-refund.top/login 登录领取退款")
    assert "phishing_link" in body["flags"] and body["escalate"]["needed"]
    assert "不要点击" in body["drafts"][0]["text"]


def test_n_controls_how_many_different_drafts_come_back(client):
    assert len(draft(client, "能发顺丰吗", n=1)["drafts"]) == 1
    three = draft(client, "退款多久到账", n=3)["drafts"]
    assert len(three) == 3 and len({item["text"] for item in three}) == 3


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "message"),
        ({"message": "   "}, "message"),
        ({"message": "在吗", "n": 5}, "n"),
        ({"message": "在吗", "history": [{"role": "boss", "text": "hi"}]}, "role"),
        ({"message": "在吗", "order": {"status": "lost"}}, "status"),
        ({"message": "x" * 2001}, "message"),
    ],
)
def test_invalid_requests_get_422_naming_the_field(client, payload, field):
    response = client.post("/v1/drafts", json=payload)
    assert response.status_code == 422
    assert field in json.dumps(response.json()["detail"])


def test_unknown_shop_is_404_with_the_served_shop_named(client):
    response = client.post("/v1/drafts", json={"message": "在吗", "shop": "another"})
    assert response.status_code == 404
    assert "another" in response.json()["detail"] and "default" in response.json()["detail"]


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_stream_sends_analysis_then_checked_text_then_final_drafts(client):
    response = client.post("/v1/drafts/stream", json={"message": "收到的衣服破了个洞", "n": 2})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    names = [name for name, _ in events]
    assert names[0] == "analysis" and names[-1] == "done"
    assert events[0][1]["intent"] == "quality_issue"
    finals = {data["index"]: data for name, data in events if name == "draft"}
    assert len(finals) == 2
    for index, final in finals.items():
        streamed = "".join(d["text"] for n, d in events if n == "delta" and d["index"] == index)
        assert streamed == final["text"] and final["citations"]
    assert events[-1][1]["mode"] == "offline"
    assert events[-1][1]["request_id"] == events[0][1]["request_id"]


def test_stream_refuses_bad_input_with_http_errors(client):
    assert client.post("/v1/drafts/stream", json={"message": ""}).status_code == 422
    response = client.post("/v1/drafts/stream", json={"message": "在吗", "shop": "x"})
    assert response.status_code == 404


def test_openapi_documents_the_draft_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/drafts" in paths and "/v1/drafts/stream" in paths
    assert "收到的衣服破了个洞" in paths["/v1/drafts"]["post"]["description"]


def test_a_products_faq_is_not_used_when_no_product_is_in_focus(client):
    body = draft(client, "没拆封能退吗")
    cited = {c["id"] for item in body["drafts"] for c in item["citations"]}
    assert not any(c.startswith(("faq:", "product:")) for c in cited), cited
    assert "真丝" not in "".join(item["text"] for item in body["drafts"])


def test_situational_scripts_need_their_situation(client):
    calm = "".join(item["text"] for item in draft(client, "今天下午能发货不", n=3)["drafts"])
    assert "久等" not in calm and "没有发货，我们会按规则" not in calm
    late = "".join(i["text"] for i in draft(client, "都等了三天了怎么还没发货", n=3)["drafts"])
    assert "超过48小时没有发货" in late


def test_scripts_for_another_product_category_are_not_offered(client):
    texts = "".join(item["text"] for item in draft(client, "充电宝发烫还鼓包了", n=3)["drafts"])
    assert "衣服" not in texts and "小家电" not in texts


def test_thanks_gets_a_closing_not_a_sales_opening(client):
    first = draft(client, "好的，明白了，谢谢")["drafts"][0]["text"]
    assert "看中了哪款" not in first


def test_a_relevant_script_is_an_answer_not_a_knowledge_gap(client):
    body = draft(client, "这个还能再便宜吗")
    assert body["knowledge_gap"] is False and "优惠券" in body["drafts"][0]["text"]
