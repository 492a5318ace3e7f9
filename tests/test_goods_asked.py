"""Questions whether the shop sells a kind of goods, on a shop the drafter was not written for.

The pantry shop sells 百花土蜂蜜, 婴儿米饼, 挂耳咖啡 …: a honey it does not list gets the reply
for goods the shop may not sell (a knowledge gap), never an attribute of the honey it has.
"""

import shutil
from pathlib import Path

import pytest

from copilot.drafting.goods import asked_for, kind_of, named_goods, sold
from copilot.schemas import DraftRequest
from tests.conftest import ingested_copilot

DATA = Path(__file__).parent / "data"
NOT_SOLD_MOVE = "playbook:product-not-sold"


@pytest.mark.parametrize(
    ("message", "goods"),
    [
        ("你们家有没有槐花蜜", "槐花蜜"),
        ("枣花蜂蜜有吗", "枣花蜂蜜"),
        ("店里卖不卖磨牙棒", "磨牙棒"),
        ("请问有卖羊奶粉的吗", "羊奶粉"),
        ("有没有那种无糖的米饼", "无糖的米饼"),
        ("这个能冲着喝吗", None),
        ("这款有黑色吗", None),  # a colour of the product in focus, not other goods
        ("磨牙棒有没有鸡肉味", None),  # a flavour of a product, not other goods
        ("有什么优惠吗", None),
        ("你好 想买个挂耳咖啡", "挂耳咖啡"),  # what the customer came to buy
        ("我打算给狗买点零食~", "零食"),
        ("想买这个蜂蜜 但是能冲着喝吗", None),  # it goes on to ask about it
        ("我想要退货", None),
    ],
)
def test_the_goods_a_message_asks_the_shop_to_sell_are_read(message, goods):
    asked = asked_for(message)
    assert (asked.goods if asked else None) == goods


KINDS = [
    kind_of("百花土蜂蜜 500g 蜂蜜", "蜜", "百花土蜂蜜 500g 类目：蜂蜜 原材料：百花蜜"),
    kind_of("婴儿米饼 20片 婴儿辅食", "饼食", "婴儿米饼 20片 配料：大米、苹果粉"),
    kind_of("高山乌龙 罐装 乌龙茶", "龙茶", "高山乌龙 罐装 类目：乌龙茶"),
]


@pytest.mark.parametrize(
    ("goods", "products"),
    [
        ("枣花蜂蜜", []),  # a honey, but not this one
        ("蜂蜜", [0]),
        ("苹果米饼", [1]),  # 苹果 is in the rice cakes' ingredients
        ("红茶", []),  # 茶: a tea, and the shop's only tea is oolong
        ("三段奶粉", None),  # no kind of goods this shop has
        ("夜间模式", None),
        ("适合老人的茶", None),  # a recommendation, not a kind of goods
    ],
)
def test_the_catalog_decides_whether_a_kind_of_goods_is_sold(goods, products):
    assert sold(goods, KINDS) == products


@pytest.fixture(scope="module")
def pantry(tmp_path_factory):
    return ingested_copilot(
        tmp_path_factory.mktemp("pantry"), knowledge_dir=DATA / "pantry_shop", shop="pantry"
    )


def _cited(response) -> set[str]:
    return {c.id for d in response.drafts for c in d.citations}


@pytest.mark.parametrize("message", ["你们有槐花蜂蜜吗", "有没有红茶", "枣花蜜有吗"])
def test_goods_the_catalog_does_not_list_get_the_reply_for_goods_not_sold(pantry, message):
    response = pantry.draft(DraftRequest(message=message, n=3), record=False)
    assert response.knowledge_gap
    assert NOT_SOLD_MOVE in _cited(response), [d.text for d in response.drafts]
    # no attribute of the honey or the oolong the shop does sell
    assert not any(c.startswith("product:") for c in _cited(response))


def test_goods_the_catalog_lists_are_answered_with_the_products_that_are_them(pantry):
    response = pantry.draft(DraftRequest(message="请问有没有米饼", n=3), record=False)
    assert NOT_SOLD_MOVE not in _cited(response) and not response.knowledge_gap
    first = response.drafts[0]
    assert "店里在卖婴儿米饼" in first.text, first.text
    assert "product:PAN-B01" in {c.id for c in first.citations}


def test_asking_whether_listed_goods_are_still_in_stock_is_not_answered_by_the_listing(pantry):
    response = pantry.draft(DraftRequest(message="米饼还有吗", n=3), record=False)
    assert not any("店里在卖" in d.text for d in response.drafts)


def test_goods_the_shops_rules_name_are_answered_from_them(tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(DATA / "pantry_shop", knowledge)
    (knowledge / "rules").mkdir()
    rule = "# 季节限定\n\n## 槐花蜜什么时候有\n\n槐花蜜是季节限定款，每年5月上架，其他时间不卖。\n"
    (knowledge / "rules" / "seasonal.md").write_text(rule, encoding="utf-8")
    shop = ingested_copilot(tmp_path / "data", knowledge_dir=knowledge, shop="pantry")
    response = shop.draft(DraftRequest(message="你们有槐花蜜吗"), record=False)
    assert NOT_SOLD_MOVE not in _cited(response)
    assert "5月上架" in response.drafts[0].text, response.drafts[0].text


def test_goods_bought_for_someone_are_those_the_catalog_has_for_them(tmp_path):
    """我想给狗买点粮: the dog food, not the two cat foods (all three 粮); every product a
    listing names is cited."""
    pets = ingested_copilot(
        tmp_path, knowledge_dir=Path(__file__).parents[1] / "shops" / "pet-supplies", shop="pets"
    )
    first = pets.draft(DraftRequest(message="我想给狗买点粮"), record=False).drafts[0]
    assert "狗粮" in first.text and "猫粮" not in first.text, first.text
    first = pets.draft(DraftRequest(message="想买点粮"), record=False).drafts[0]
    listed = [c.id for c in first.citations if c.id.startswith("product:")]
    assert len(listed) == 3 and "猫粮" in first.text and "狗粮" in first.text, first.text


@pytest.mark.parametrize(
    ("message", "sells", "named"),
    [
        ("你们卖口红吗", True, True),
        ("店里有卖化妆棉的吗", True, True),
        ("有没有口红", False, True),  # 有没有 may ask anything (有没有优惠)
        ("你们卖的是正品吗", True, False),  # chat, not goods
        ("卖完了吗", True, False),
    ],
)
def test_goods_asked_for_with_mai_are_goods_when_named_like_goods(message, sells, named):
    asked = asked_for(message)
    assert asked is not None and asked.sells is sells
    assert named_goods(asked.goods) is named


@pytest.mark.parametrize("message", ["你们卖口红吗", "店里有卖化妆棉的吗"])
def test_goods_of_no_kind_the_catalog_has_asked_with_mai_get_the_not_sold_reply(pantry, message):
    """口红 is no kind of the pantry's goods, but 卖 says it is goods: not sold here, a gap;
    whatever intent the message is read as, no clarifying question and no apology leads."""
    unsure = pantry.settings
    pantry.settings = unsure.model_copy(update={"intent_confidence_floor": 1.0})
    try:
        response = pantry.draft(DraftRequest(message=message, n=3), record=False)
    finally:
        pantry.settings = unsure
    assert response.knowledge_gap
    assert NOT_SOLD_MOVE in _cited(response), [d.text for d in response.drafts]
    assert response.drafts[0].strategy != "澄清确认"
    assert not any(word in response.drafts[0].text[:12] for word in ("抱歉", "对不起"))


def test_chat_after_mai_is_no_goods_the_shop_does_not_sell(pantry):
    response = pantry.draft(DraftRequest(message="你们卖的是正品吗", n=3), record=False)
    assert NOT_SOLD_MOVE not in _cited(response)
