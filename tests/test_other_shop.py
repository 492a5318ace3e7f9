"""The copilot on another shop's knowledge, written in the documented format."""

import pytest

from copilot.container import build_copilot
from copilot.schemas import DraftRequest
from tests.conftest import ingested_copilot, make_settings


@pytest.fixture(scope="module")
def tea_shop(tmp_path_factory):
    from tests.conftest import TINY_SHOP

    return ingested_copilot(tmp_path_factory.mktemp("tea"), knowledge_dir=TINY_SHOP, shop="小茶馆")


def test_product_question_is_answered_from_that_shops_faq(tea_shop):
    response = tea_shop.draft(DraftRequest(message="龙井怎么泡好喝"))
    assert response.intent == "product_info" and not response.knowledge_gap
    first = response.drafts[0]
    assert "80度" in first.text and first.citations[0].id == "faq:TEA-01:1"


def test_shipping_rule_comes_from_that_shops_rules(tea_shop):
    response = tea_shop.draft(DraftRequest(message="什么时候发货"))
    assert "24小时" in response.drafts[0].text
    assert response.drafts[0].citations[0].source == "rules/delivery.md"


def test_gap_uses_that_shops_confirm_script(tea_shop):
    response = tea_shop.draft(DraftRequest(message="你们支持企业月结吗"))
    assert response.knowledge_gap
    assert "10分钟内回复您" in response.drafts[0].text


def test_that_shops_banned_words_are_enforced(tea_shop):
    assert not tea_shop.check("每天喝一杯能降血压").passed
    assert tea_shop.check("每天喝一杯很舒服").passed


def test_requests_for_the_shop_by_name_are_served_and_others_refused(tea_shop):
    assert tea_shop.draft(DraftRequest(message="在吗", shop="小茶馆")).drafts
    from copilot.errors import UnknownShopError

    with pytest.raises(UnknownShopError, match="小茶馆"):
        tea_shop.draft(DraftRequest(message="在吗", shop="禾木"))


def test_ingest_warns_about_knowledge_that_uses_a_banned_term(tiny_shop, tmp_path):
    faq = tiny_shop / "products" / "tea.yaml"
    faq.write_text(
        faq.read_text(encoding="utf-8").replace("豆香清新", "全网最好的龙井"), encoding="utf-8"
    )
    copilot = build_copilot(make_settings(tmp_path, knowledge_dir=tiny_shop))
    warnings = copilot.ingest().warnings
    assert any("product:TEA-01" in w and "最好" in w for w in warnings)


def test_every_gap_draft_promises_to_check_only_once(tea_shop):
    """The ask-for-details draft ends with the shop's own promise, not ours and then the shop's."""
    response = tea_shop.draft(DraftRequest(message="你们支持企业月结吗"))
    assert len(response.drafts) >= 2
    for draft in response.drafts:
        promises = [s for s in draft.text.split("。") if "确认" in s or "核实" in s]
        assert len(promises) == 1, draft.text
