"""A draft never states an order status (shipped, signed, refunded, return received) unless the
request's order shows it; otherwise it says the agent will check."""

import json
from datetime import datetime

import pytest

from copilot.drafting.order_truth import (
    before_shipping,
    claims_in,
    keep_to_the_order,
    known_shipped,
    unsupported,
)
from copilot.schemas import DraftRequest, OrderContext

CHECK = "订单现在的具体状态我马上帮您核实，查到后告诉您。"


@pytest.mark.parametrize(
    ("sentence", "claims"),
    [
        ("我帮您查了一下，包裹已经发出，正常3到5天送达。", ["shipped"]),
        ("包裹已经在路上了，您可以拒收。", ["shipped"]),
        ("物流显示您的包裹已签收。", ["delivered"]),
        # "一般" explains the usual course of its own clause, not that the refund was made
        ("退款已经操作了，支付宝一般即时到账。", ["refunded"]),
        ("下单后一般24小时内已发出，请耐心等待。", []),
        ("如果没收到，我们已经为您退款。", []),  # a condition before the claim holds for it
        ("退款已经操作了，请您留意。", ["refunded"]),
        ("我们已经收到您的退货，马上给您退款。", ["return_received"]),
        ("您寄回的包裹我们还没收到您的退货。", ["return_received"]),
        ("您寄回的包裹仓库还没有签收，我帮您查一下。", ["return_received"]),
        ("显示已签收但您没收到的话，请先问问家人。", []),
        ("如果已经发货了，可以拒收。", []),
        ("包裹已经发出了吗？", []),
        ("您好，请问有什么可以帮您？", []),
    ],
)
def test_what_a_sentence_asserts_about_the_order(sentence, claims):
    assert claims_in(sentence) == claims


def test_a_claim_stands_only_when_the_order_shows_it():
    text = "亲，您好～包裹已经发出，您可以在订单详情里查看物流。有其他问题随时找我～"
    # the claim becomes the check; what the sentence says after it still holds
    kept = f"亲，您好～{CHECK}您可以在订单详情里查看物流。有其他问题随时找我～"
    assert keep_to_the_order(text, None, CHECK) == kept
    refunded = "退款已经操作了，信用卡3到7个工作日到账，已经为您退款。"
    assert keep_to_the_order(refunded, None, CHECK) == CHECK  # the rest claims it again
    not_back = "仓库还没收到您的退货，我帮您查一下退货物流。"  # the rest goes on about the claim
    assert keep_to_the_order(not_back, None, CHECK) == CHECK
    assert keep_to_the_order(text, OrderContext(status="paid"), CHECK) != text
    assert keep_to_the_order(text, OrderContext(status="shipped"), CHECK) == text
    assert keep_to_the_order(text, OrderContext(shipped_at=datetime(2026, 11, 28)), CHECK) == text
    signed = "您的包裹已签收。"
    assert unsupported(signed, OrderContext(status="shipped")) == ["delivered"]
    assert unsupported(signed, OrderContext(status="delivered")) == []
    refund = "已经为您退款。"
    assert unsupported(refund, OrderContext(status="refunding")) == []
    returned = "已收到您的退货。"  # the order we get never shows a return's arrival
    assert unsupported(returned, OrderContext(status="closed")) == ["return_received"]


def test_a_shops_script_does_not_tell_a_customer_without_an_order_that_the_parcel_left(
    bundled_copilot,
):
    response = bundled_copilot.draft(DraftRequest(message="包裹是不是丢了", n=3), record=False)
    texts = [d.text for d in response.drafts]
    assert all(unsupported(t, None) == [] for t in texts), texts
    assert any(CHECK in t for t in texts), texts


def test_with_a_shipped_order_the_script_keeps_its_sentence(bundled_copilot):
    order = OrderContext(status="shipped", shipped_at=datetime(2026, 11, 28, 9, 30))
    request = DraftRequest(message="包裹是不是丢了", n=3, order=order)
    texts = [d.text for d in bundled_copilot.draft(request, record=False).drafts]
    assert all(CHECK not in t for t in texts), texts


def test_an_llm_draft_that_asserts_a_status_is_corrected_streamed_and_not(
    bundled_copilot, tmp_path
):
    from fastapi.testclient import TestClient

    from copilot.api.app import create_app
    from copilot.container import build_copilot
    from tests.conftest import make_settings
    from tests.fake_openai import FakeOpenAI

    request = DraftRequest(message="我的快递到哪了", n=1)
    given = list(bundled_copilot.prepare(request).given_chunks())  # what the LLM will be given
    draft = {"strategy": "直接解答", "text": "您的包裹已经发出了，请耐心等待。", "citations": given}
    answer = json.dumps({"drafts": [draft]}, ensure_ascii=False)
    with FakeOpenAI() as fake:
        settings = make_settings(
            tmp_path,
            data_dir=bundled_copilot.settings.data_dir,
            llm_base_url=fake.base_url,
            llm_model="fake-chat",
        )
        copilot = build_copilot(settings)
        fake.enqueue(answer)
        response = copilot.draft(request, record=False)
        assert response.mode == "llm"
        assert response.drafts[0].text.startswith(CHECK), response.drafts[0].text
        fake.enqueue(answer)
        with TestClient(create_app(copilot=copilot)) as client:
            body = client.post("/v1/drafts/stream", json={"message": "我的快递到哪了", "n": 1}).text
        streamed = "".join(
            json.loads(line[len("data: ") :])["text"]
            for block in body.split("\n\n")
            if "event: delta" in block
            for line in block.splitlines()
            if line.startswith("data: ")
        )
        assert "已经发出" not in streamed and CHECK in streamed, streamed


IN_TIME = OrderContext(
    status="shipped", paid_at=datetime(2026, 11, 28, 10), shipped_at=datetime(2026, 11, 28, 20)
)
LATE = OrderContext(
    status="shipped", paid_at=datetime(2026, 11, 20, 10), shipped_at=datetime(2026, 11, 25, 10)
)
LATE_REPLY = (
    "抱歉让您久等了，订单超过48小时没有发货，我们会按规则给您补偿。"
    "承诺时间内没有发货的订单，本店按实付金额的10%补偿。因不可抗力或买家要求延迟发货的除外。"
)


def test_lateness_and_its_rule_are_only_said_when_the_order_bears_them_out():
    in_time = keep_to_the_order(LATE_REPLY, IN_TIME, CHECK)
    assert "超过48小时" not in in_time and "10%" not in in_time and "除外" not in in_time
    assert CHECK in in_time
    assert keep_to_the_order(LATE_REPLY, LATE, CHECK) == LATE_REPLY
    # without an order the customer's words are the situation the shop's script was written for
    assert keep_to_the_order(LATE_REPLY, None, CHECK) == LATE_REPLY
    unpaid = keep_to_the_order(LATE_REPLY, OrderContext(status="unpaid"), CHECK)
    assert unpaid == LATE_REPLY  # no payment time: lateness unknown, nothing contradicts it


def test_the_dispatch_promise_is_read_from_the_dispatch_rule_not_any_hours():
    """ "客服会在1小时内处理" is a refund rule's hours: an order shipped in 10 hours is not late."""
    reply = (
        "订单还没有发货时申请仅退款，客服会在1小时内处理。"
        "承诺时间内没有发货的订单，本店按商品实付金额的10%给予补偿。"
    )
    assert "10%" not in keep_to_the_order(reply, IN_TIME, CHECK)


def test_a_shipped_order_is_never_said_to_be_packing():
    text = "您的订单正在打包中，付款后48小时内会发出。"
    assert keep_to_the_order(text, IN_TIME, CHECK) == CHECK
    assert keep_to_the_order(text, OrderContext(status="paid"), CHECK) == text


def test_the_return_window_rule_is_not_quoted_long_after_dispatch():
    text = "本店商品支持七天无理由退货。"
    long_ago = OrderContext(status="delivered", shipped_at=datetime(2025, 1, 2))
    assert keep_to_the_order(text, long_ago, CHECK) == CHECK
    recent = OrderContext(status="delivered", shipped_at=datetime.now())
    assert keep_to_the_order(text, recent, CHECK) == text


def test_a_draft_for_an_order_shipped_in_time_quotes_no_compensation(bundled_copilot):
    order = {
        "status": "shipped",
        "paid_at": "2026-11-28T10:00:00",
        "shipped_at": "2026-11-28T20:00:00",
        "courier": "顺丰",
        "tracking_no": "SF1428765530912",
    }
    response = bundled_copilot.draft(
        DraftRequest(message="怎么还没发货，超时了有补偿吗", order=order, n=3), record=False
    )
    for draft in response.drafts:
        assert "超过48小时" not in draft.text and "10%" not in draft.text, draft.text
        assert "正在打包" not in draft.text


def test_still_packing_is_said_only_when_the_order_or_the_customer_says_it_has_not_left():
    packing = "您的订单正在打包中，付款后48小时内会发出。"
    assert unsupported(packing, None) == ["not_shipped"]
    assert keep_to_the_order(packing, None, CHECK) == CHECK
    assert keep_to_the_order(packing, OrderContext(status="paid"), CHECK) == packing
    assert keep_to_the_order(packing, None, CHECK, said="怎么还没发货啊") == packing
    assert keep_to_the_order(packing, None, CHECK, said="节假日发不发货") == CHECK  # only asks
    # a kind of order, not this one
    assert claims_in("还没发货的订单可以改地址。") == []
    assert claims_in("订单还没有发货时申请仅退款，客服会在1小时内处理。") == []


def test_a_sentence_that_starts_with_not_shipped_becomes_its_condition():
    text = "订单还没发货，您在订单页申请仅退款就可以。"
    kept = keep_to_the_order(text, None, CHECK)
    assert kept == "订单还没发货的话，您在订单页申请仅退款就可以。"
    assert keep_to_the_order(text, IN_TIME, CHECK) == kept  # shipped: only the condition holds
    assert keep_to_the_order(text, OrderContext(status="paid"), CHECK) == text


def test_a_draft_for_a_customer_without_an_order_does_not_say_it_is_packing(bundled_copilot):
    response = bundled_copilot.draft(DraftRequest(message="发货了吗？？？", n=3), record=False)
    texts = [d.text for d in response.drafts]
    assert texts and all("正在打包" not in t for t in texts), texts


def test_a_draft_whose_status_becomes_the_check_does_not_promise_again(bundled_copilot):
    """The check sentence says 查到后告诉您: no closing that says it once more."""
    response = bundled_copilot.draft(DraftRequest(message="包裹是不是丢了", n=3), record=False)
    checked = [d.text for d in response.drafts if CHECK in d.text]
    assert checked, [d.text for d in response.drafts]
    assert all("有进展马上告诉您" not in t and "随时同步给您" not in t for t in checked), checked


@pytest.mark.parametrize(
    ("said", "order", "left"),
    [
        ("已经发货了还能改地址吗", None, True),  # the customer says so
        ("东西已经发了 地址写错了", None, True),
        ("已经发货了吗", None, False),  # asks
        ("已经发了没", None, False),
        ("地址能改吗", OrderContext(status="shipped"), True),
        ("地址能改吗", OrderContext(shipped_at=datetime(2026, 12, 1, 10)), True),
        ("地址能改吗", OrderContext(status="paid"), False),
    ],
)
def test_whether_the_order_has_left(said, order, left):
    assert known_shipped(order, said) is left


def test_a_rule_for_unshipped_orders_is_not_quoted_once_the_order_left(tmp_path):
    from pathlib import Path

    from tests.conftest import ingested_copilot

    shop = Path(__file__).parent / "data" / "rules_shop"
    copilot = ingested_copilot(tmp_path, knowledge_dir=shop, shop="青禾")
    sent = copilot.draft(DraftRequest(message="东西已经发了 地址还能改吗"), record=False)
    assert "转寄" in sent.drafts[0].text, sent.drafts[0].text
    assert all(not before_shipping(draft.text) for draft in sent.drafts)
    waiting = copilot.draft(DraftRequest(message="还没发货 地址能改吗"), record=False)
    assert "发货前可以" in waiting.drafts[0].text, waiting.drafts[0].text
