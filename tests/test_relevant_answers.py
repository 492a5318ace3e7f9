"""What counts as an answer: when no attribute is named both weak readings must agree, a
product's name or unrelated description is no answer, a section titled with a question answers
only questions that share its words, a follow-up is answered for its own question, and a rule
or FAQ about something else (another intent, only the product's name in common) is no answer.
"""

from pathlib import Path

import pytest
import yaml

from copilot.schemas import DraftRequest
from tests.conftest import ingested_copilot

HOME_SHOP = Path(__file__).parent / "data" / "home_shop"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return ingested_copilot(tmp_path_factory.mktemp("home"), knowledge_dir=HOME_SHOP, shop="home")


def _draft(copilot, message):
    return copilot.draft(DraftRequest(message=message), record=False)


def test_an_attribute_in_other_words_is_answered_when_meaning_and_words_agree(home):
    """声音大 names no attribute; 噪音 is closest in meaning and the only one sharing 音."""
    response = _draft(home, "饮水机声音大吗")
    assert not response.knowledge_gap
    assert "30分贝" in response.drafts[0].text
    assert response.drafts[0].citations[0].id == "product:HOME-W01"


def test_a_description_about_something_else_is_no_answer(home):
    response = _draft(home, "饮水机能用多少年")
    assert response.knowledge_gap
    assert all("循环活水" not in draft.text for draft in response.drafts)


def test_a_products_name_is_no_answer(home):
    extractor = home.grounder.extractor
    box = home.retriever.chunk("product:HOME-B01")
    assert extractor.sentence(box, "收纳箱承重多少") == ""
    assert "50厘米" in extractor.sentence(box, "收纳箱尺寸多大")


def test_asking_whether_the_shop_sells_something_gets_no_guessed_attribute(home):
    """手机 names the phone case, and 支 of 支架 is in its 定制 line: still not an answer."""
    extractor = home.grounder.extractor
    case = home.retriever.chunk("product:HOME-C01")
    assert extractor.attribute_by_agreement(case, "你们家卖不卖手机支架") is not None
    response = _draft(home, "你们家卖不卖手机支架")
    assert response.knowledge_gap
    assert all("刻字" not in draft.text for draft in response.drafts)


@pytest.mark.parametrize("message", ["普洱茶有吗", "你们有实体店吗 想去喝"])
def test_a_section_titled_with_a_question_answers_only_that_question(home, message):
    response = _draft(home, message)
    assert response.knowledge_gap
    assert all("咖啡因" not in d.text and "试喝装" not in d.text for d in response.drafts)


def test_the_question_a_section_is_titled_with_is_answered(home):
    response = _draft(home, "能先试喝吗")
    assert not response.knowledge_gap
    assert "试喝装" in response.drafts[0].text


@pytest.mark.parametrize("message", ["饮水机怎么样", "这个饮水机好不好"])
def test_asking_how_a_product_is_gets_its_description(home, message):
    response = _draft(home, message)
    assert not response.knowledge_gap
    assert "循环活水" in response.drafts[0].text


def test_an_attribute_only_one_product_has_names_that_product(home):
    assert home.grounder.products.in_focus("噪音大不大", []) == "HOME-W01"
    response = _draft(home, "噪音大不大")
    assert "30分贝" in response.drafts[0].text and not response.knowledge_gap


def test_an_attribute_word_used_for_something_else_names_no_product(home):
    """装修 is nothing the water fountain's knowledge speaks of: 噪音 here is the neighbours'."""
    assert home.grounder.products.in_focus("楼上装修噪音太大了", []) is None


def test_what_several_candidates_share_is_said_once_under_all_their_names(home):
    response = _draft(home, "产地是哪里的")
    text = next(d.text for d in response.drafts if d.strategy == "分款说明")
    assert "折叠收纳箱、加厚收纳箱的产地是浙江台州" in text
    assert text.count("浙江台州") == 1
    cited = {c.id for d in response.drafts for c in d.citations}
    assert {"product:HOME-B01", "product:HOME-B02"} <= cited


def test_an_apology_that_says_it_will_follow_up_gets_no_second_promise(home):
    """抱歉让您久等了，物流的情况我来帮您跟进 is the promise: no 有进展马上告诉您 after it."""
    response = _draft(home, "急死了 几点前付款能当天发出")
    commitment = home.offline.phrasing["commitment"][response.stage]
    opened = [d.text for d in response.drafts if "跟进" in d.text]
    assert opened and all(commitment not in text for text in opened)
    assert any(commitment in d.text for d in response.drafts if "跟进" not in d.text)


PRICE_TOLD = [
    {"role": "customer", "text": "饮水机多少钱"},
    {"role": "agent", "text": "169元。"},
]


def test_a_follow_up_with_its_own_question_is_answered_for_that_question(home):
    """好清洗吗 after 饮水机多少钱 asks about cleaning; the price was the earlier question."""
    request = DraftRequest(message="好清洗吗", history=PRICE_TOLD)
    first = home.draft(request, record=False).drafts[0].text
    assert "好清洗" in first and "169" not in first, first


def test_what_the_agent_already_told_is_not_the_answer_again(home):
    request = DraftRequest(message="能退吗", history=PRICE_TOLD, n=3)
    texts = [d.text for d in home.draft(request, record=False).drafts]
    assert texts and all("169" not in text for text in texts), texts


def test_a_follow_up_that_only_names_another_product_asks_the_earlier_question(home):
    history = [
        {"role": "customer", "text": "折叠收纳箱尺寸多大"},
        {"role": "agent", "text": "长50厘米，宽30厘米。"},
    ]
    request = DraftRequest(message="那加厚的呢", history=history)
    assert "长60厘米" in home.draft(request, record=False).drafts[0].text


def test_the_sentence_with_the_kind_of_value_asked_for_answers(bundled_copilot):
    """什么时候发货 asks a time: the dispatch promise, not that weekends are working days."""
    first = bundled_copilot.draft(DraftRequest(message="什么时候发货"), record=False).drafts[0]
    assert "48小时" in first.text, first.text


def test_a_calm_question_when_it_ships_is_not_answered_as_a_late_order(home):
    """The shop's rules do not say: the honest check, not 让您久等了 for a wait nobody had."""
    response = home.draft(DraftRequest(message="什么时候发货", n=3), record=False)
    assert all("久等" not in draft.text for draft in response.drafts), response.drafts


@pytest.fixture
def shop_with_refund_rule(tiny_shop, tmp_path):
    (tiny_shop / "rules" / "refund.md").write_text(
        "# 退款说明\n\n## 未发货退款\n订单还没有发货时申请仅退款，客服会在1小时内处理。\n",
        encoding="utf-8",
    )
    return ingested_copilot(tmp_path, knowledge_dir=tiny_shop, shop="tiny")


def test_rule_sections_are_read_for_the_intent_they_answer(shop_with_refund_rule):
    topics = shop_with_refund_rule.grounder.section_topics()
    assert topics["rule:refund:未发货退款"][0] == "refund"
    assert topics["rule:delivery:发货时效"][0] == "shipping"


def test_a_rule_about_another_intent_does_not_answer_a_confident_question(shop_with_refund_rule):
    """Why has it not shipped: the dispatch rule, not how to refund an unshipped order."""
    context = shop_with_refund_rule.prepare(DraftRequest(message="我的订单怎么还没发货"))
    sentences = [fact.sentence for fact in context.facts]
    assert any("24小时内" in s for s in sentences) and all("仅退款" not in s for s in sentences)
    # asked about, the refund rule answers
    context = shop_with_refund_rule.prepare(DraftRequest(message="还没发货能退款吗"))
    assert any("仅退款" in fact.sentence for fact in context.facts)


@pytest.fixture(scope="module")
def pets(tmp_path_factory):
    """The pet-supplies sample shop (products and rules, no scripts)."""
    knowledge = Path(__file__).parents[1] / "shops" / "pet-supplies"
    return ingested_copilot(tmp_path_factory.mktemp("pets"), knowledge_dir=knowledge, shop="pets")


def test_an_faq_that_shares_only_its_products_name_is_no_answer(pets):
    """猫粮有谷物吗 names two cat foods; the kitten food's feeding FAQ shares only 猫粮."""
    context = pets.prepare(DraftRequest(message="猫粮有谷物吗"))
    assert all(fact.chunk.type != "faq" for fact in context.facts), context.facts
    # an FAQ that shares the question's own words still answers without a product in focus
    context = pets.prepare(DraftRequest(message="幼猫一天喂多少"))
    assert any(fact.chunk.type == "faq" for fact in context.facts), context.facts


def test_an_faq_asked_word_for_word_answers_though_no_product_is_named(pets):
    """两个月的小猫一天喂多少 is the kitten food's own FAQ question; it names no product."""
    context = pets.prepare(DraftRequest(message="两个月的小猫一天喂多少"))
    assert not context.knowledge_gap
    assert "40克" in context.facts[0].sentence, context.facts


@pytest.mark.parametrize(
    "message", ["收到少了一袋猫砂", "狗粮的袋子破了个洞", "买的是豆腐猫砂 来的是矿石砂 发错了"]
)
def test_a_reported_problem_gets_the_shops_rule_for_that_problem(pets, message):
    """The product names pull the search to the products' FAQs; the quality rule names the same
    problem (漏发, 破损, 发错) and is the shop's answer."""
    context = pets.prepare(DraftRequest(message=message))
    assert any(f.chunk.id == "rule:returns:质量问题" for f in context.facts), context.facts


def test_a_problem_no_rule_names_gets_no_rule_guessed(pets):
    """灰 is no damage, wrong item or missing item: no quality rule is appended."""
    context = pets.prepare(DraftRequest(message="你们猫砂全是灰 呛死了"))
    assert all(f.chunk.id != "rule:returns:质量问题" for f in context.facts), context.facts


def test_a_rule_about_an_intent_the_question_may_have_still_answers(bundled_copilot):
    """个人抬头能改成公司吗 read as an order change (0.72) with some chance of invoice (0.12):
    the invoice rule it asks about is not ruled out as another intent's; with no chance it is."""
    grounder, query = bundled_copilot.grounder, "个人抬头能改成公司吗"
    vector = bundled_copilot.retriever.encode_query(query)

    def sentences(chances):
        facts = grounder._facts(query, None, "order_change", vector, None, chances)
        return [fact.sentence for fact in facts]

    assert any("重开" in s for s in sentences({"order_change": 0.72, "invoice": 0.12}))
    assert not any("重开" in s for s in sentences({"order_change": 0.99, "invoice": 0.005}))


def test_an_faq_asking_the_same_beats_an_attribute_the_question_names(tmp_path):
    """奶嘴多久要换 is the bottle's FAQ 奶嘴多久换一次 (jieba's 要换 notwithstanding), not its
    奶嘴 attribute."""
    baby = Path(__file__).parents[1] / "shops" / "baby-care"
    copilot = ingested_copilot(tmp_path, knowledge_dir=baby, shop="baby")
    context = copilot.prepare(DraftRequest(message="奶嘴多久要换"))
    assert context.facts[0].chunk.type == "faq", context.facts
    assert "两到三个月" in context.facts[0].sentence


def test_a_time_counted_in_working_days_is_the_time_asked_for(home):
    extractor = home.grounder.extractor
    units = extractor._asked_units("发票什么时候发我", extractor.sentence_kinds)
    assert extractor._counted_in("确认收货后3个工作日内发到您的邮箱", units)
    assert extractor._counted_in("付款后48小时内发货", units)
    assert not extractor._counted_in("本店暂不开具增值税专用发票", units)
    # a product's attributes are not picked by a time: 保修多久 is not 搭建：1分钟搭好
    assert not extractor._counted_in("1分钟搭好", extractor._asked_units("保修多久"))


def test_a_rule_question_is_searched_without_the_products_it_names(pets):
    """猫砂拆了用了一点 不喜欢能退吗: 猫砂 pulled the litters' FAQs ahead of the return rule."""
    context = pets.prepare(DraftRequest(message="猫砂拆了用了一点 不喜欢能退吗"))
    assert not context.knowledge_gap
    assert context.facts[0].chunk.id == "rule:returns:七天无理由退货", context.facts


def test_an_item_of_a_listed_rule_is_quoted_with_the_sentence_it_belongs_to(bundled_copilot):
    """The question names one item (东北): that item answers, read with the list's opening."""
    from copilot.knowledge.models import Chunk

    rule = Chunk(
        id="rule:delivery:areas",
        type="rule",
        source="rules/delivery.md",
        text="配送时效\n发货后按地区送达：江浙沪一般次日达；华南2到3天；东北和西北4到6天。"
        "偏远地区以快递实际派送为准。",
    )
    extractor = bundled_copilot.grounder.extractor
    assert extractor.sentence(rule, "东北几天能到") == "发货后按地区送达：东北和西北4到6天。"
    refunds = Chunk(
        id="rule:refund:ways",
        type="rule",
        source="rules/refund.md",
        text="退款到账\n退款原路退回：余额一般即时到账，最迟1个工作日；银行卡1到5个工作日；"
        "白条3到10个工作日。分期的订单退款后，分期手续费一并退回。",
    )
    assert extractor.sentence(refunds, "白条退款多久到") == "退款原路退回：白条3到10个工作日。"


def test_a_question_asking_a_time_is_answered_first_by_the_fact_that_gives_one(tiny_shop, tmp_path):
    (tiny_shop / "rules" / "invoice.md").write_text(
        "# 发票说明\n\n## 重开发票\n发票抬头开错的，可以申请作废后重开一次。\n\n"
        "## 申请方式\n确认收货后在订单页申请，2个工作日内开好发到邮箱。\n",
        encoding="utf-8",
    )
    copilot = ingested_copilot(tmp_path, knowledge_dir=tiny_shop, shop="tiny")
    context = copilot.prepare(DraftRequest(message="发票什么时候开"))
    assert "2个工作日" in context.facts[0].sentence, context.facts


def test_a_script_that_gives_no_time_does_not_answer_before_the_rule_that_does(tiny_shop, tmp_path):
    """发票什么时候开: the shop's script about re-issuing an invoice says nothing of when."""
    (tiny_shop / "rules" / "invoice.md").write_text(
        "# 发票说明\n\n## 申请方式\n确认收货后在订单页申请，2个工作日内开好发到邮箱。\n",
        encoding="utf-8",
    )
    (tiny_shop / "scripts" / "invoice.yaml").write_text(
        "- id: inv-reissue\n  intent: invoice\n  stage: aftersale\n"
        "  text: 发票开错了可以作废重新开一次，您把正确的抬头发给我，我帮您提交。\n",
        encoding="utf-8",
    )
    copilot = ingested_copilot(tmp_path, knowledge_dir=tiny_shop, shop="tiny")
    first = copilot.draft(DraftRequest(message="发票什么时候开"), record=False).drafts[0]
    assert "2个工作日" in first.text, first.text


def test_asking_whether_the_shop_sells_a_thing_is_answered_only_by_knowledge_naming_it(
    tiny_shop, tmp_path
):
    """有没有茶宠卖: a welcome text that mentions 茶 does not say whether tea pets are sold."""
    (tiny_shop / "rules" / "welcome.md").write_text(
        "# 店铺介绍\n\n## 欢迎光临\n欢迎光临小茶馆，想喝点什么茶，我帮您挑。\n", encoding="utf-8"
    )
    copilot = ingested_copilot(tmp_path, knowledge_dir=tiny_shop, shop="tiny")
    context = copilot.prepare(DraftRequest(message="有没有茶宠卖"))
    assert all("欢迎光临" not in fact.sentence for fact in context.facts), context.facts


def test_the_customers_own_word_for_the_product_does_not_make_its_faq_an_answer(tmp_path):
    """桃子 names 阳山水蜜桃 (its last character, as customers say it): a return question that
    shares only that word with the peaches' FAQ is answered by the return rule, not the FAQ."""
    knowledge = tmp_path / "knowledge"
    (knowledge / "products").mkdir(parents=True)
    (knowledge / "rules").mkdir()
    (knowledge / "products" / "fruit.yaml").write_text(
        "- sku: PEACH-6\n"
        "  name: 阳山水蜜桃 6个装\n"
        "  category: 水果\n"
        "  price: 69\n"
        "  attributes:\n"
        "    产地: 江苏无锡阳山\n"
        "  faq:\n"
        "    - q: 桃子要削皮吗；毛多不多；有没有毛\n"
        "      a: 水蜜桃表面有细毛，洗的时候用一点盐轻轻搓一下就掉了，不用削皮。\n",
        encoding="utf-8",
    )
    (knowledge / "rules" / "returns.md").write_text(
        "# 售后\n\n## 退换货\n\n生鲜水果属于鲜活易腐商品，不支持七天无理由退换货。"
        "收到坏果请在24小时内拍照联系客服。\n",
        encoding="utf-8",
    )
    shop = ingested_copilot(tmp_path / "data", knowledge_dir=knowledge, shop="peach")
    response = shop.draft(DraftRequest(message="桃子不想要了能退吗 还没拆箱"), record=False)
    texts = [draft.text for draft in response.drafts]
    assert "不支持七天无理由" in texts[0], texts
    assert all("削皮" not in text for text in texts), texts


GENERAL_QUALITY_RULE = (
    "## 质量售后\n签收后15天内出现质量问题可以直接换新，请拍照或录视频说明问题。\n"
)


@pytest.fixture
def shop_with_quality_rules(tiny_shop, tmp_path):
    """tiny_shop with one after-sale rule that covers any quality problem."""
    (tiny_shop / "rules" / "aftersale.md").write_text(
        "# 售后说明\n\n" + GENERAL_QUALITY_RULE, encoding="utf-8"
    )
    return tiny_shop


@pytest.mark.parametrize("message", ["茶壶的盖子打不开了", "杯子用了两天就漏水了"])
def test_a_problem_no_rule_names_gets_the_shops_one_general_quality_rule(
    shop_with_quality_rules, tmp_path, message
):
    """No rule names the problem, but the shop's only quality rule covers every quality problem
    (出现质量问题可以直接换新): that is the policy an agent quotes."""
    copilot = ingested_copilot(tmp_path, knowledge_dir=shop_with_quality_rules, shop="tiny")
    context = copilot.prepare(DraftRequest(message=message))
    assert context.understanding.analysis.intent == "quality_issue"
    assert any("15天内" in fact.sentence for fact in context.facts), context.facts


def test_with_several_quality_rules_none_is_guessed_for_an_unnamed_problem(
    shop_with_quality_rules, tmp_path
):
    """Two rules each cover quality problems (of different goods): which one applies is not
    guessed for a problem neither names."""
    (shop_with_quality_rules / "rules" / "warranty.md").write_text(
        "# 保修\n\n## 茶具保修\n茶具出现质量问题，签收后30天内免费换新。\n", encoding="utf-8"
    )
    copilot = ingested_copilot(tmp_path, knowledge_dir=shop_with_quality_rules, shop="tiny")
    grounder, query = copilot.grounder, "茶壶的盖子打不开了"
    vector = copilot.retriever.encode_query(query)
    topics = grounder.section_topics()
    assert topics["rule:warranty:茶具保修"][0] == topics["rule:aftersale:质量售后"][0]
    assert grounder._policy("quality_issue", query, vector, topics) is None


def _small_shop(tmp_path, *products, rules: str = ""):
    """A copilot over a shop with only the products given (and rules, Markdown), ingested.

    Each product: (sku, name, category, attributes, faq as [(q, a)]).
    """
    knowledge = tmp_path / "knowledge"
    (knowledge / "products").mkdir(parents=True)
    if rules:
        (knowledge / "rules").mkdir()
        (knowledge / "rules" / "service.md").write_text(rules, encoding="utf-8")
    catalog = [
        {
            "sku": sku,
            "name": name,
            "category": category,
            "price": 99,
            "attributes": attributes,
            "faq": [{"q": q, "a": a} for q, a in faq],
        }
        for sku, name, category, attributes, faq in products
    ]
    (knowledge / "products" / "products.yaml").write_text(
        yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8"
    )
    return ingested_copilot(tmp_path / "data", knowledge_dir=knowledge, shop="products-only")


def test_a_word_of_the_products_name_used_again_is_what_is_asked(tmp_path):
    """充电头能给ipad充电吗: the first 充电 names the charger, the second asks about charging,
    which the charger's FAQ answers; a single character (猫 of 猫粮) stays the product's."""
    copilot = _small_shop(
        tmp_path,
        (
            "CH-01",
            "快充充电器 30W",
            "充电器",
            {"接口": "1个USB-C口"},
            [("能给平板充电吗？", "可以，支持PD协议的平板都能快充。")],
        ),
    )
    context = copilot.prepare(DraftRequest(message="充电头能给ipad充电吗"))
    assert context.product is not None and context.product.sku == "CH-01"
    assert not context.knowledge_gap
    assert any("PD协议的平板" in fact.sentence for fact in context.facts), context.facts


def test_a_feature_other_products_state_and_this_one_does_not_is_not_guessed(tmp_path):
    """The case states 无线充电, the earphones do not: their battery life (which shares 充电)
    is no answer to 耳机支持无线充电吗, but still the answer to how long they last."""
    earphones = {"续航": "单次约6小时，配合充电盒共24小时", "重量": "单只4克"}
    copilot = _small_shop(
        tmp_path,
        ("EA-01", "蓝牙耳机", "耳机", earphones, []),
        ("CA-01", "磁吸手机壳", "手机壳", {"磁吸": "内置磁圈，支持无线充电"}, []),
    )
    context = copilot.prepare(DraftRequest(message="耳机支持无线充电吗"))
    assert context.knowledge_gap and not context.facts, context.facts
    context = copilot.prepare(DraftRequest(message="耳机充一次电能用多久"))
    assert any("6小时" in fact.sentence for fact in context.facts), context.facts


def test_of_two_attributes_holding_the_asked_word_the_one_named_by_it_answers(tmp_path):
    """插线板几个孔: both values hold 孔, but 插孔 is the attribute named by it, not 开关."""
    attributes = {"开关": "每个孔位都有独立开关", "插孔": "3个五孔插孔和2个USB口"}
    copilot = _small_shop(tmp_path, ("PS-01", "防过载插线板", "插线板", attributes, []))
    context = copilot.prepare(DraftRequest(message="插线板几个孔"))
    assert context.facts and "3个五孔插孔" in context.facts[0].sentence, context.facts


def test_a_problem_with_a_product_no_rule_covers_gets_the_products_warranty(tmp_path):
    """No rule at all: the kettle's own 保修 line is the policy for its defect."""
    attributes = {"容量": "1.7升", "保修": "整机保修2年"}
    copilot = _small_shop(tmp_path, ("KT-01", "不锈钢电热水壶", "水壶", attributes, []))
    context = copilot.prepare(DraftRequest(message="水壶用了一个月就烧不开水了"))
    assert context.understanding.analysis.intent == "quality_issue"
    assert any("整机保修2年" in fact.sentence for fact in context.facts), context.facts


def test_an_faq_shares_no_word_with_a_question_through_its_products_name(tmp_path):
    """腿粗穿这条阔腿裤要大一码吗: jieba's 条阔 brings 阔, which is in the trousers' name that
    heads every FAQ entry of theirs; with 穿 alone the length FAQ shares too little to answer."""
    copilot = _small_shop(
        tmp_path,
        (
            "PT-01",
            "垂感阔腿西装裤",
            "裤子",
            {"面料": "涤纶混纺"},
            [("个子矮穿会不会太长？", "裤长约101厘米，身高165穿刚好到脚踝。")],
        ),
    )
    context = copilot.prepare(DraftRequest(message="腿粗穿这条阔腿裤要大一码吗"))
    assert all("101厘米" not in fact.sentence for fact in context.facts), context.facts


def test_a_part_only_one_product_has_names_that_product(tmp_path):
    """罩子 is no product's name, but 喇叭罩 is in only the pump's text: it is the one asked about
    (jieba cuts it 喇叭 / 罩, so runs of three characters are read)."""
    copilot = _small_shop(
        tmp_path,
        ("BP-01", "双边电动吸奶器", "吸奶器", {"配件": "两个喇叭罩（24毫米），两个储奶瓶"}, []),
        ("BT-01", "宽口径玻璃奶瓶", "奶瓶", {"容量": "240毫升", "配件": "一个奶嘴"}, []),
    )
    context = copilot.prepare(DraftRequest(message="喇叭罩是多大的"))
    assert context.product is not None and context.product.sku == "BP-01"
    assert any("24毫米" in fact.sentence for fact in context.facts), context.facts


def test_a_question_about_what_only_the_rules_state_gets_no_product_attribute(tmp_path):
    """买一支洗面奶包邮吗: 包邮 is in the rules, not in the cleanser's lines; its directions
    (which share 一, 支…) are no answer to guess."""
    copilot = _small_shop(
        tmp_path,
        ("CL-01", "氨基酸洁面乳", "洁面", {"用法": "早晚各一次，取黄豆大小揉出泡沫"}, []),
        rules="# 服务\n\n## 运费\n单笔实付满79元包邮，不满79元收运费6元。\n",
    )
    context = copilot.prepare(DraftRequest(message="买一支洗面奶包邮吗"))
    assert all(fact.chunk.type != "product" for fact in context.facts), context.facts
