"""Product questions answered by meaning on a shop whose attribute names the drafter never saw.

The outdoor shop's attributes (适用人数, 收纳, 防雨, 搭建, 亮度) are in no alias table: the
attribute is found by the kind of value asked for (几档 → 三档, 多重 → 千克) or by the question's
own words once the product's name is set aside.
"""

from pathlib import Path

import pytest

from copilot.drafting.facts import without_name
from copilot.schemas import DraftRequest
from tests.conftest import ingested_copilot

DATA = Path(__file__).parent / "data"


def _shop(tmp_path_factory, name: str):
    """The test shop tests/data/<name>_shop, ingested."""
    return ingested_copilot(
        tmp_path_factory.mktemp(name), knowledge_dir=DATA / f"{name}_shop", shop=name
    )


@pytest.fixture(scope="module")
def outdoor(tmp_path_factory):
    return _shop(tmp_path_factory, "outdoor")


@pytest.mark.parametrize(
    ("message", "fact", "cited"),
    [
        ("露营灯有几档亮度", "三档亮度", "product:OUT-L01"),  # a measure word after 几
        ("速开帐篷多重", "2.1千克", "product:OUT-T01"),  # the kind of quantity (weight)
        ("速开帐篷防雨怎么样", "中雨", "product:OUT-T01"),  # the question's own word (防雨)
        ("速开帐篷一个人能搭吗", "1分钟", "product:OUT-T01"),  # 搭 in 搭建
        ("露营灯能给手机充电吗", "5伏1安", "faq:OUT-L01:1"),  # the FAQ that asks it still wins
        ("露营灯是哪里产的", "永康", "product:OUT-L01"),  # 产 in 产地; 哪里 only asks where
    ],
)
def test_attribute_asked_without_its_name_is_answered(outdoor, message, fact, cited):
    response = outdoor.draft(DraftRequest(message=message), record=False)
    first = response.drafts[0]
    assert fact in first.text, first.text
    assert first.citations[0].id == cited
    assert not response.knowledge_gap


def test_an_faq_about_something_else_is_not_the_answer(outdoor):
    """The tent's only FAQ (winter use) shares no word with a warranty question: a gap."""
    response = outdoor.draft(DraftRequest(message="速开帐篷保修多久"), record=False)
    assert response.knowledge_gap
    assert all("三季帐" not in draft.text for draft in response.drafts)


def test_number_and_counted_word_tell_models_apart(bundled_copilot, tmp_path):
    finder = bundled_copilot.grounder.products
    words = finder._words("婴儿奶粉1段")
    assert "1段" in words and "1段" in finder._words("一段奶粉")
    assert "2段" in finder._words("二段的呢")


def test_the_name_is_cut_before_the_question_is_split():
    assert without_name("喂食器用什么电池", "智能自动喂食器 4l").strip() == "用什么电池"
    assert without_name("含酒精吗", "婴儿湿巾") == "含酒精吗"


def test_the_requests_own_order_answers_where_a_parcel_is(outdoor):
    """No shipping rule at all, but the order says who carries it: that is the answer."""
    order = {"status": "shipped", "courier": "中通快递", "tracking_no": "ZT7788123456"}
    response = outdoor.draft(DraftRequest(message="到哪了", order=order), record=False)
    assert response.intent == "shipping" and not response.knowledge_gap
    assert "ZT7788123456" in response.drafts[0].text and "中通快递" in response.drafts[0].text
    bare = outdoor.draft(DraftRequest(message="到哪了"), record=False)
    assert all("运单号" not in draft.text for draft in bare.drafts)


@pytest.fixture(scope="module")
def pantry(tmp_path_factory):
    return _shop(tmp_path_factory, "pantry")


@pytest.mark.parametrize(
    ("message", "fact"),
    [
        ("土蜂蜜拿什么做的", "百花蜜（单一原料"),  # 原材料 answers what it is made of
        ("蜂蜜开了以后怎么保存", "常温避光"),  # 贮存条件 answers how to keep it
        ("磨牙棒一天吃多少合适", "每天1到2支"),  # 食用量 answers how much
        ("磨牙棒能放多久", "18个月"),  # 保存期 answers how long it keeps
        ("蜂蜜是哪里产的", "秦岭"),  # 原产地
        ("软壳外套的成分", "氨纶8%"),  # the key the question names wins over 面料 of its group
        ("蜂蜜哪里产的，一瓶多重", "500克"),  # the attribute asked last is the one asked now
        # an FAQ answer that mentions the word (收纳罐) does not ask the question
        ("磨牙棒送收纳罐吗", "密封收纳罐一个"),
        # an FAQ question sharing 合适 with 适合 but giving no age does not answer how old
        ("米饼适合多大的宝宝吃", "8月龄以上"),
        ("挂耳咖啡一次放多少水", "180毫升"),  # how much goes in: the brewing attribute
        ("乌龙一次放多少茶叶", "一泡8克"),
        # the FAQ names the product (5斤装) but its answer gives no weight
        ("冰糖心苹果甜不甜 一箱几斤", "5斤，约12个"),
        ("苹果一箱有多少斤", "5斤"),  # 苹果 names the apples, not a phone's connector
        ("浴巾一条有多大", "70×140"),  # 多大 of a towel asks its size (its colours: 各一条)
        ("大礼包里面都有什么", "坚果3袋"),  # what is inside: the contents group (规格)
    ],
)
def test_the_attribute_asked_for_answers_whatever_the_shop_calls_it(pantry, message, fact):
    response = pantry.draft(DraftRequest(message=message), record=False)
    assert fact in response.drafts[0].text, response.drafts[0].text
    assert not response.knowledge_gap


def test_a_worried_product_question_answered_by_a_fact_is_not_asked_what_it_wants(pantry):
    """The soothing draft gives the fact, not the playbook's "which aspect would you like"."""
    response = pantry.draft(DraftRequest(message="急 蜂蜜结晶了还能吃吗", n=3), record=False)
    first = response.drafts[0].text
    assert "结晶属于正常" in first and "哪方面" not in first, first
