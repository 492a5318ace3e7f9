"""Finding the product a question is about: everyday synonyms, the word a name ends in,
Traditional characters, and answering for each product when several fit."""

import pytest

from copilot.drafting.products import head_char
from copilot.schemas import DraftRequest


@pytest.fixture(scope="module")
def finder(bundled_copilot):
    return bundled_copilot.grounder.products


@pytest.mark.parametrize(
    ("message", "sku"),
    [
        ("保护壳是什么材质", "HM-D009"),  # 保护壳 → 手机壳
        ("手机膜是几片装的", "HM-D010"),  # 手机膜 → 钢化膜, not the phone case
        ("烧水壶多大", "HM-K001"),  # 烧水壶 → 电热水壶
        ("充电线多长", "HM-D005"),  # 充电线 → 数据线
        ("洗面奶适合油皮吗", "HM-S001"),  # 洗面奶 → 洁面乳
        ("吹風機多少瓦", "HM-K006"),  # Traditional
        ("碎花那款有M码吗", "HM-W001"),  # a word inside the name still identifies it
    ],
)
def test_everyday_words_find_the_product(finder, message, sku):
    assert finder.named_in(message) == sku


@pytest.mark.parametrize(
    ("message", "skus"),
    [
        ("耳机能连两台手机吗", ["HM-D006", "HM-D007"]),  # 耳机 is what they are; 手机 is not
        ("充电宝能带上飞机吗", ["HM-D003", "HM-D004"]),
        ("裤子是什么面料", ["HM-W002", "HM-W007"]),  # 裤子 → 牛仔裤, 西装裤
    ],
)
def test_a_word_that_fits_several_products_names_them_all(finder, message, skus):
    assert finder.named_in(message) is None
    assert finder.candidates(message) == skus


@pytest.mark.parametrize(
    ("title", "char"),
    [
        ("实木婴儿床 带滚轮", "床"),  # what it is, not what it has
        ("赣南脐橙 10斤装", "橙"),
        ("10000mAh 超薄充电宝", "宝"),
        ("婴儿配方奶粉1段 800g", "粉"),  # a series number is not what it is
        ("高清钢化膜（2片装）", "膜"),
        ("婴儿洗发沐浴露二合一 400ml", ""),  # a number is no kind of product
        ("iPhone", ""),
    ],
)
def test_the_character_a_name_ends_in(title, char):
    assert head_char(title) == char


def test_the_character_a_name_ends_in_names_the_product_where_it_stands_alone(finder):
    assert finder.named_in("锅能进洗碗机吗") == "HM-K004"  # 空气炸锅
    assert finder.named_in("杯子能装热水吗") == "HM-K002"  # 榨汁杯
    assert finder.named_in("苹果15用哪根线") == "HM-D005"  # 数据线, after a measure word
    assert finder.candidates("这个壶能煮粥吗") == ["HM-K001", "HM-K009"]  # both kettles
    assert finder.named_in("机器声音大吗") is None  # 机 inside 机器 is no 吹风机
    assert finder.candidates("机器声音大吗") == []


def test_the_character_a_name_ends_in_counts_where_it_forms_no_word_with_its_neighbours(finder):
    """新锅 and 锅买 are no words (砂锅 and 锅盖 are): the one pot named by 锅 is meant. Only
    where nothing else names a product: 湿巾能擦嘴不 is not about a 奶嘴 (嘴)."""
    assert finder.named_in("新锅买回来要洗吗") == "HM-K004"  # 空气炸锅
    assert finder.named_in("有没有砂锅") is None
    assert finder.named_in("锅盖是玻璃的吗") is None
    # 用锅 is no word either, but the message names the juicer cup: 锅 is not read as a name
    assert "锅" in finder._head_chars_said("榨汁杯用锅洗", loosely=True)
    assert "锅" not in finder._head_chars_said("榨汁杯用锅洗")
    assert finder.named_in("榨汁杯用锅洗") == "HM-K002"


def test_one_product_named_is_no_list_of_candidates(finder):
    assert finder.candidates("耳机降噪效果怎么样") == []  # 降噪 is only in one earphone's name
    assert finder.candidates("你好") == []


def test_each_candidate_gets_its_own_answer_first(bundled_copilot):
    response = bundled_copilot.draft(DraftRequest(message="耳机续航多久"), record=False)
    first = response.drafts[0]
    assert first.strategy == "分款说明"
    assert "半入耳式无线蓝牙耳机" in first.text and "主动降噪头戴式耳机" in first.text
    assert "约30小时" in first.text and "约60小时" in first.text
    assert {c.id for c in first.citations} == {"product:HM-D006", "product:HM-D007"}
    assert first.text.endswith("告诉我后我再帮您细看。")


def test_when_no_candidate_answers_they_are_named_after_the_honest_check(bundled_copilot):
    response = bundled_copilot.draft(DraftRequest(message="耳机支持LDAC吗", n=3), record=False)
    assert response.knowledge_gap
    assert response.drafts[0].strategy != "分款说明"
    which = [d for d in response.drafts if d.strategy == "分款说明"]
    assert which and "半入耳式无线蓝牙耳机、主动降噪头戴式耳机" in which[0].text
    assert {c.id for c in which[0].citations} == {"product:HM-D006", "product:HM-D007"}


def test_a_product_in_focus_gets_no_candidates(bundled_copilot):
    request = DraftRequest(message="耳机续航多久", sku="HM-D007")
    drafts = bundled_copilot.draft(request, record=False).drafts
    assert all(d.strategy != "分款说明" for d in drafts)
    assert "约60小时" in drafts[0].text


def test_an_faq_that_asks_exactly_this_beats_the_attribute_an_alias_points_at(bundled_copilot):
    # 穿什么码 points at the 尺码 attribute, but the size chart FAQ answers this very question
    sized = bundled_copilot.draft(DraftRequest(message="我160 100斤穿什么码", sku="HM-W001"))
    assert "S码" in sized.drafts[0].text and "S、M、L、XL" not in sized.drafts[0].text
    # without such an FAQ the attribute still answers
    filled = bundled_copilot.draft(DraftRequest(message="羽绒服充绒量多少", sku="HM-W008"))
    assert "150克" in filled.drafts[0].text


@pytest.fixture(scope="module")
def tea_finder(tmp_path_factory):
    """The imported tea shop: names like 明前龙井 that never say 绿茶; categories that do."""
    from pathlib import Path

    from copilot.container import build_copilot
    from tests.conftest import make_settings

    knowledge = Path(__file__).parents[1] / "examples" / "tea-shop" / "knowledge"
    copilot = build_copilot(make_settings(tmp_path_factory.mktemp("tea"), knowledge_dir=knowledge))
    copilot.ingest()
    return copilot.grounder.products


@pytest.mark.parametrize(
    ("message", "sku"),
    [("绿茶怎么泡", "TEA-LJ-250"), ("红茶能放多久", "TEA-ZS-200"), ("乌龙茶香吗", "TEA-TGY-250")],
)
def test_the_category_a_product_is_in_names_it(tea_finder, message, sku):
    assert tea_finder.named_in(message) == sku
