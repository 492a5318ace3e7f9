"""How the offline drafter assembles a reply from pieces."""

import shutil
from pathlib import Path

from copilot.container import build_copilot
from copilot.drafting.offline import _Reply, load_phrasing
from copilot.schemas import DraftRequest
from tests.conftest import make_settings


def test_a_reply_never_says_the_same_sentence_twice():
    reply = _Reply("直接解答")
    reply.add("您好～支持七天无理由退货。寄回运费由您承担。")
    reply.add("支持七天无理由退货哦！签收后在订单页申请就可以。")  # its first sentence was said
    reply.add("寄回运费由您来承担。")  # nothing new: not added at all
    assert (
        reply.draft().text
        == "您好～支持七天无理由退货。寄回运费由您承担。签收后在订单页申请就可以。"
    )


def test_a_sentence_that_is_part_of_an_earlier_one_is_not_said_again():
    reply = _Reply("直接解答")
    reply.add("还没发货的订单可以改地址，您把新地址发我，我帮您备注。")
    reply.add("还没发货的订单可以改地址。运费险下单时自动赠送。")
    assert reply.draft().text == (
        "还没发货的订单可以改地址，您把新地址发我，我帮您备注。运费险下单时自动赠送。"
    )


def _draft(knowledge, tmp_path, message: str) -> str:
    copilot = build_copilot(make_settings(tmp_path, knowledge_dir=knowledge))
    copilot.ingest()
    return copilot.draft(DraftRequest(message=message), record=False).drafts[0].text


def test_a_reply_that_already_promises_to_stay_in_touch_gets_no_second_closing(tiny_shop, tmp_path):
    """A shop's greeting that ends "有问题随时找我" is not followed by "还有想了解的随时问我哦"."""
    shutil.rmtree(tiny_shop / "scripts")
    closing = load_phrasing()["closing"]["presale"]
    plain = _draft(tiny_shop, tmp_path / "plain", "你好")
    assert plain.endswith(closing)  # the built-in greeting does not close: the drafter does
    (tiny_shop / "playbook.yaml").write_text(
        "moves:\n"
        "  - id: greeting-presale\n"
        "    intent: greeting\n"
        "    stages: [presale]\n"
        "    text: 欢迎光临，看中哪款直接发我，有问题随时找我。\n"
        "    tags: [opening]\n",
        encoding="utf-8",
    )
    closed = _draft(tiny_shop, tmp_path / "closed", "你好")
    assert closed.endswith("有问题随时找我。") and closing not in closed


def test_an_opener_does_not_promise_what_the_move_after_it_promises(tmp_path):
    """抱歉让您久等了 opens; the stuck-parcel move itself says it will tell the customer."""
    from tests.conftest import ingested_copilot

    home = Path(__file__).parent / "data" / "home_shop"
    copilot = ingested_copilot(tmp_path, knowledge_dir=home, shop="home")
    request = DraftRequest(message="快递三天都没更新了 怎么回事")
    first = copilot.draft(request, record=False).drafts[0].text
    assert "告诉您" in first and "跟进" not in first, first


def test_the_same_answer_behind_another_opener_is_not_a_second_draft():
    """Drafts differ in approach: an apology swapped for a shorter one is the same draft."""
    from copilot.drafting.offline import OfflineDrafter
    from copilot.schemas import Draft

    drafter = OfflineDrafter()
    phrasing = drafter.phrasing
    answer = "仓库收到退货后24小时内验货，验货通过当天退款。"
    other = "麻烦把订单号发我，我先帮您查这笔退款到哪一步了。"
    texts = [
        phrasing["apology"]["angry"] + answer,
        phrasing["short_apology"] + answer,  # the same answer: left out
        phrasing["short_apology"] + other,
    ]
    builders = [lambda _, t=t: Draft(text=t, strategy="直接解答", citations=[]) for t in texts]
    drafts = drafter._compose(builders, None, 3)
    assert [d.text for d in drafts] == [texts[0], texts[2]]
