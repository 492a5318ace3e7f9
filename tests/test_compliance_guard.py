"""The compliance guard drafts pass through: lexicon matching, spans, allow-list, cleaning."""

import pytest

from copilot.compliance.guard import ComplianceGuard
from copilot.compliance.lexicon import load_lexicon
from copilot.config import bundled_knowledge_dir


@pytest.fixture(scope="module")
def guard():
    return ComplianceGuard(load_lexicon(bundled_knowledge_dir()))


@pytest.mark.parametrize(
    ("text", "matched", "category"),
    [
        ("这款是全网最好的", "最好", "absolute_terms"),
        ("我们的芒果全网最甜", "最甜", "absolute_terms"),  # food superlatives too
        ("這款是最佳選擇", "最佳選擇", "absolute_terms"),
        ("有问题加 V 信聊", "加 V", "off_platform_contact"),
        ("发微_信给我", "微_信", "off_platform_contact"),
        ("ＶＸ：abc", "ＶＸ", "off_platform_contact"),
        ("好评返现5元", "好评返现5元", "review_manipulation"),  # the pattern spans the reward
        ("能根治痘痘", "根治", "medical_claims"),
        ("喝了能增强抵抗力", "增强抵抗力", "medical_claims"),  # a health claim food may not make
        ("爱买不买", "爱买不买", "insults"),
        ("本店承诺假一赔十", "假一赔十", "overpromise"),
    ],
)
def test_terms_are_found_through_spacing_width_and_script(guard, text, matched, category):
    result = guard.check(text)
    assert not result.passed
    hit = next(h for h in result.hits if h.category == category)
    assert text[hit.start : hit.end] == hit.matched == matched


@pytest.mark.parametrize(
    "text",
    [
        "有进展我第一时间通知您",
        "这是您第一次购买吗",
        "您最好先试穿一下",
        "本品是化妆品，不具有治疗功效",
        "请不要私下转账给任何人",
        "按国家标准检测合格",
        "能用微信支付吗",
    ],
)
def test_ordinary_wording_is_not_a_hit(guard, text):
    assert guard.check(text).passed, guard.check(text).hits


def test_cleaning_replaces_terms_or_drops_their_clause(guard):
    result = guard.check("这款是最佳选择！支持终身保修。有问题加我微信。发货很快。")
    assert result.cleaned == "这款是不错的选择！支持按质保规则保修。发货很快。"
    assert guard.check(result.cleaned).passed


def test_shop_banned_words_from_the_knowledge_are_enforced(guard):
    result = guard.check("保证不过敏，放心用")
    assert not result.passed and result.hits[0].replacement == "建议先小面积试用"
    assert result.cleaned.startswith("建议先小面积试用")


def test_warnings_do_not_fail_the_check(guard):
    result = guard.check("活动仅此一天哦")
    assert result.passed and result.hits[0].severity == "warn"


@pytest.mark.parametrize(
    "text",
    ["全网最，加我微信，好的选择", "这款最·好，好评返现，超值", "绝对，加v，正品", "假，一赔十"],
)
def test_cleaned_text_never_joins_into_a_new_banned_term(guard, text):
    cleaned = guard.check(text).cleaned
    assert guard.check(cleaned).passed, cleaned


def test_long_text_is_cleaned_clause_by_clause(guard):
    clean = "您好，已经为您安排发货。" * 2000
    dirty = clean + "这款是全网最好的，有问题加我微信。" + clean
    result = guard.check(dirty)
    assert not result.passed
    assert result.cleaned == clean + "这款是全网很好的。" + clean
