"""The knowledge format contract and the bundled sample shop."""

import textwrap
from collections import Counter

import pytest

from copilot.config import bundled_knowledge_dir
from copilot.errors import KnowledgeError
from copilot.knowledge import build_chunks, load_knowledge
from copilot.knowledge.taxonomy import INTENT_STAGES


@pytest.fixture(scope="module")
def bundled():
    return load_knowledge(bundled_knowledge_dir())


def test_bundled_shop_has_enough_products_in_categories(bundled):
    products = [product for _, product in bundled.products.values()]
    assert len(products) >= 40
    assert len({p.category for p in products}) >= 3
    for product in products:
        assert product.attributes, product.sku
        assert len(product.faq) >= 2, product.sku
        assert product.price and product.price > 0, product.sku


def test_clothing_has_size_charts(bundled):
    clothing = [p for _, p in bundled.products.values() if p.category == "女装"]
    assert clothing and all("尺码表" in p.attributes for p in clothing)


def test_bundled_rules_cover_the_shop_policies(bundled):
    text = "\n".join(
        section.title + section.body
        for document in bundled.rules.values()
        for section in document.sections
    )
    for topic in [
        "顺丰",
        "包邮",
        "偏远",
        "七天无理由",
        "运费险",
        "价保",
        "发票",
        "质保",
        "优惠券",
        "会员",
        "退款",
        "到账",
        "定制",
        "质量问题",
    ]:
        assert topic in text, topic


def test_scripts_cover_every_intent_in_every_stage_it_occurs(bundled):
    scripts = [script for _, script in bundled.scripts.values()]
    assert len(scripts) >= 100
    pairs = Counter((s.intent, s.stage) for s in scripts)
    for intent, stages in INTENT_STAGES.items():
        for stage in stages:
            assert pairs[(intent, stage)] >= 1, (intent, stage)


def test_scripts_include_apologies_and_a_confirm_later_reply(bundled):
    scripts = [script for _, script in bundled.scripts.values()]
    complaints = [s for s in scripts if s.intent == "complaint"]
    assert sum("抱歉" in s.text for s in complaints) >= 5
    gap = [s for s in scripts if "knowledge_gap" in s.tags]
    assert gap and all("分钟内" in s.text for s in gap)


def test_bundled_banned_words_are_valid(bundled):
    assert bundled.banned_words is not None
    assert any(c.severity == "block" for c in bundled.banned_words.categories.values())


def test_chunk_ids_are_stable_and_unique(bundled):
    chunks = build_chunks(bundled)
    ids = [c.id for c in chunks]
    assert len(ids) == len(set(ids))
    assert ids == [c.id for c in build_chunks(load_knowledge(bundled_knowledge_dir()))]
    assert "product:HM-K001" in ids and "faq:HM-K001:2" in ids
    assert "rule:shipping:快递公司" in ids and "script:pre-greeting-01" in ids
    faq = next(c for c in chunks if c.id == "faq:HM-K001:2")
    assert "电热水壶" in faq.text and faq.sku == "HM-K001" and faq.type == "faq"


def test_a_single_product_mapping_is_accepted(tiny_shop):
    kb = load_knowledge(tiny_shop)
    assert set(kb.products) == {"TEA-01", "CUP-01"}


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def _problems(root) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(root)
    return info.value.problems


def test_errors_name_file_entry_and_field(tiny_shop):
    _write(
        tiny_shop / "products/bad.yaml",
        """
        - sku: OK-1
          name: 好商品
        - sku: BAD-2
          name: 坏价格
          price: 很贵
        - name: 没有货号
    """,
    )
    problems = _problems(tiny_shop)
    assert any("products/bad.yaml, entry 2 (sku BAD-2): field 'price'" in p for p in problems)
    assert any("products/bad.yaml, entry 3: field 'sku': Field required" in p for p in problems)


def test_script_with_unknown_intent_is_rejected(tiny_shop):
    _write(
        tiny_shop / "scripts/more.yaml",
        """
        - id: s1
          intent: chitchat
          stage: presale
          text: 你好
    """,
    )
    problems = _problems(tiny_shop)
    assert any("scripts/more.yaml, entry 1 (id s1): field 'intent'" in p for p in problems)


def test_duplicate_sku_is_rejected(tiny_shop):
    _write(tiny_shop / "products/zz_dup.yaml", "- sku: TEA-01\n  name: 重复的茶\n")
    problems = _problems(tiny_shop)
    assert (
        "products/zz_dup.yaml, entry 1 (sku TEA-01): field 'sku': duplicate, "
        "already defined in products/tea.yaml" in problems
    )


def test_unknown_related_sku_is_named(tiny_shop):
    _write(tiny_shop / "products/rel.yaml", "sku: REL-1\nname: 关联\nrelated: [NOPE-9]\n")
    assert any(
        "(sku REL-1): field 'related': unknown sku 'NOPE-9'" in p for p in _problems(tiny_shop)
    )


def test_invalid_yaml_names_the_line(tiny_shop):
    _write(tiny_shop / "scripts/broken.yaml", "- id: x\n  text: [unclosed\n")
    problems = _problems(tiny_shop)
    assert any(p.startswith("scripts/broken.yaml: invalid YAML at line") for p in problems)


def test_rules_need_a_title_and_non_empty_sections(tiny_shop):
    _write(tiny_shop / "rules/notitle.md", "## 只有小节\n内容\n\n## 空小节\n")
    problems = _problems(tiny_shop)
    assert "rules/notitle.md: missing '# title' line naming the document" in problems
    assert any("rules/notitle.md, section '空小节'" in p and "no text" in p for p in problems)


def test_bad_banned_words_severity_is_rejected(tiny_shop):
    _write(
        tiny_shop / "compliance/banned_words.yaml",
        "categories:\n  x:\n    severity: maybe\n    words: [a]\n",
    )
    problems = _problems(tiny_shop)
    assert any("compliance/banned_words.yaml: field 'categories.x.severity'" in p for p in problems)


def test_unknown_files_are_ignored_with_a_warning(tiny_shop):
    _write(tiny_shop / "notes.txt", "随手记")
    _write(tiny_shop / "products/readme.md", "# 说明")
    kb = load_knowledge(tiny_shop)
    assert "notes.txt: not a knowledge file, ignored" in kb.warnings
    assert "products/readme.md: not a knowledge file, ignored" in kb.warnings


def test_missing_directory_is_a_clear_error(tmp_path):
    problems = _problems(tmp_path / "nowhere")
    assert problems == [f"{tmp_path / 'nowhere'}: knowledge directory does not exist"]
