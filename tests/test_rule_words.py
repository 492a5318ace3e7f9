"""Rules found through the platform terms a customer's everyday words stand for.

The rules shop writes 客服时间, 七天无理由, 价格保护 and 运费; its customers write 下班,
后悔, 便宜了 and 邮费. Neither the encoder nor BM25 links them without the terms.
"""

from pathlib import Path

import pytest

from copilot.drafting.rule_words import RuleWords
from copilot.schemas import DraftRequest
from tests.conftest import ingested_copilot

RULES_SHOP = Path(__file__).parent / "data" / "rules_shop"


def test_everyday_words_bring_the_rule_terms_they_stand_for():
    words = RuleWords()
    assert "无理由" in words.terms_for("收到以后有点后悔了 能退吗")
    assert "运费" in words.terms_for("邮费谁出")
    assert "未拆封" in words.terms_for("还没拆开 不想要了")
    assert "港澳台" in words.terms_for("能寄到香港吗")
    assert words.expand("你好") == "你好"  # no concept spoken of: unchanged


def test_a_concept_spoken_of_in_everyday_words_gets_its_terms_named_or_not():
    """开发票 … 单位报销要用: the terms weigh the question towards the invoice rule."""
    assert "发票" in RuleWords().terms_for("能开发票吗 单位报销要用")


@pytest.fixture(scope="module")
def rules_shop(tmp_path_factory):
    return ingested_copilot(tmp_path_factory.mktemp("rules"), knowledge_dir=RULES_SHOP, shop="青禾")


@pytest.mark.parametrize(
    ("message", "fact", "section"),
    [
        ("晚上几点下班呀", "22:30", "客服时间"),
        ("买回来有点后悔了可以退不", "7天内", "七天无理由退货"),
        ("付款第二天就降价了十块 能补吗", "10天内", "价格保护"),
        ("邮费怎么算的", "满88元包邮", "邮寄费用"),
        ("现在拍当天能发吗", "16点前付款", "发货安排"),
        ("要是现在付款 多久能发", "16点前付款", "发货安排"),
        ("能开发票吗 单位报销要用", "电子普通发票", "发票"),
        ("收到的东西原封不动 能退吗", "7天内", "七天无理由退货"),  # unopened: no-reason return
        ("寄西藏要加运费吗", "偏远地区另补10元", "邮寄费用"),  # a place the rule calls 偏远
    ],
)
def test_a_rule_in_platform_terms_answers_everyday_words(rules_shop, message, fact, section):
    response = rules_shop.draft(DraftRequest(message=message), record=False)
    assert not response.knowledge_gap, response.drafts[0].text
    first = response.drafts[0]
    assert fact in first.text, first.text
    assert first.citations[0].id.endswith(section)


def test_a_reported_problem_gets_the_rule_not_a_product_fact_that_names_no_problem(rules_shop):
    """有个杯子碎了 shares 杯子 with the set's "how many cups" FAQ, which says nothing of damage."""
    response = rules_shop.draft(DraftRequest(message="玻璃杯套装有个杯子碎了 好失望"), record=False)
    texts = [draft.text for draft in response.drafts]
    assert all("竹托盘" not in text for text in texts), texts
    assert "48小时" in texts[0]
    cups = rules_shop.draft(DraftRequest(message="玻璃杯套装一套几个杯子"), record=False)
    assert "一套6个杯子" in cups.drafts[0].text  # asked, the FAQ still answers


def test_a_reported_problem_is_not_answered_with_the_attribute_it_names(rules_shop):
    """颜色跟图片差好多 reports a colour difference; it does not ask which colours exist."""
    response = rules_shop.draft(
        DraftRequest(message="玻璃杯套装颜色跟图片差好多", n=3), record=False
    )
    assert all("琥珀色" not in draft.text for draft in response.drafts)


@pytest.mark.parametrize("message", ["玻璃杯套装有质检报告吗", "花瓶是哪里生产的"])
def test_a_product_question_is_not_answered_by_a_rule_that_only_names_the_product(
    rules_shop, message
):
    """The packing rule names 玻璃杯 and 花瓶 but says nothing of reports or origin: a gap."""
    response = rules_shop.draft(DraftRequest(message=message), record=False)
    assert response.knowledge_gap
    assert all("气泡柱" not in draft.text for draft in response.drafts)
