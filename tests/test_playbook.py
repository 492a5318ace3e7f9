"""The built-in playbook: what it may say, how a shop overrides it, that the shop's scripts win."""

import re
import shutil

import pytest

from copilot.compliance.guard import ComplianceGuard
from copilot.compliance.lexicon import load_lexicon
from copilot.config import bundled_knowledge_dir
from copilot.container import build_copilot
from copilot.drafting.offline import load_phrasing
from copilot.drafting.playbook import SPECIAL_TAGS, built_in_playbook, load_playbook
from copilot.errors import KnowledgeError
from copilot.knowledge.loader import load_knowledge
from copilot.knowledge.taxonomy import INTENT_STAGES
from copilot.schemas import DraftRequest, OrderContext
from tests.conftest import make_settings

# a number, or a Chinese numeral with a unit: a time limit, amount or count only knowledge may give
_NUMBERS = re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:天|小时|分钟|元|块|倍|年|个月|次|件)")
# words that state an order's status as fact
_ORDER_STATUS = ("已发货", "已经发货", "已签收", "已经签收", "已收到退货", "已退款", "已经退款")


@pytest.fixture(scope="module")
def playbook():
    return built_in_playbook()


def test_every_move_passes_the_compliance_guard_untouched(playbook):
    guard = ComplianceGuard(load_lexicon())
    for move in playbook.moves:
        result = guard.check(move.text.replace("{product}", "商品"))
        assert result.passed and not result.hits, (move.id, result.hits)


def test_no_move_states_a_number_or_an_order_status(playbook):
    for move in playbook.moves:
        assert not _NUMBERS.search(move.text), move.id
        assert not any(status in move.text for status in _ORDER_STATUS), move.id


def test_every_intent_in_every_stage_has_a_general_move():
    merged = load_playbook(None)
    for intent, stages in INTENT_STAGES.items():
        for stage in stages:
            general = [
                m
                for m in merged.for_intent(intent)
                if not merged.situation_of(m.move)
                and (not m.move.stages or stage in m.move.stages)
                and not {"needs_product"} & set(m.move.tags)
            ]
            assert general, (intent, stage)
    for tag in SPECIAL_TAGS:
        assert merged.tagged(tag), tag


def test_every_situational_move_has_trigger_words():
    merged = load_playbook(None, {"late": ["还没发"]})
    for entry in merged.moves:
        for tag in entry.move.tags:
            if tag in merged.situations:
                assert merged.situations[tag], tag


@pytest.fixture
def scriptless_shop(tiny_shop):
    """The tea shop with its products and rules but none of its scripts."""
    shutil.rmtree(tiny_shop / "scripts")
    return tiny_shop


def _copilot(tmp_path, knowledge):
    copilot = build_copilot(make_settings(tmp_path, knowledge_dir=knowledge))
    copilot.ingest()
    return copilot


def test_a_shop_without_scripts_is_greeted_and_bargained_with_from_the_playbook(
    scriptless_shop, tmp_path
):
    copilot = _copilot(tmp_path, scriptless_shop)
    hello = copilot.draft(DraftRequest(message="你好"), record=False)
    assert hello.drafts and hello.drafts[0].citations[0].type == "playbook"
    assert hello.drafts[0].citations[0].source == "playbook"
    bargain = copilot.draft(DraftRequest(message="能便宜点吗 我买两斤"), record=False)
    assert not bargain.knowledge_gap  # the move answers the situation in full
    assert bargain.drafts[0].citations[0].id == "playbook:promotion-bargain"
    assert all("改价" not in d.text or "没有单独改价" in d.text for d in bargain.drafts)


def test_asking_for_free_shipping_is_no_bargaining(scriptless_shop, tmp_path):
    """包邮吗 asks the shop's shipping rule; the tea shop has none, so it is a gap."""
    copilot = _copilot(tmp_path, scriptless_shop)
    response = copilot.draft(DraftRequest(message="买两罐的话包邮吗", n=3), record=False)
    assert response.knowledge_gap
    assert all("改价" not in draft.text for draft in response.drafts)


def test_a_move_that_only_promises_to_find_out_leaves_a_gap(scriptless_shop, tmp_path):
    copilot = _copilot(tmp_path, scriptless_shop)
    response = copilot.draft(DraftRequest(message="你们有没有卖猫爬架", n=3), record=False)
    assert response.knowledge_gap
    cited = [c.id for d in response.drafts for c in d.citations]
    assert cited[0].startswith("playbook:gap-") and "playbook:product-not-sold" in cited


@pytest.mark.parametrize(
    ("message", "move"),
    [
        ("我的退款到哪了", "playbook:refund-progress"),
        ("快递到哪儿了 帮我查下", "playbook:shipping-where"),
        ("帮我催一下快递", "playbook:shipping-urge"),
    ],
)
def test_asking_after_ones_own_order_is_answered_by_looking_it_up(
    scriptless_shop, tmp_path, message, move
):
    """No knowledge answers where this customer's parcel or refund is: the order does."""
    copilot = _copilot(tmp_path, scriptless_shop)
    response = copilot.draft(DraftRequest(message=message, n=3), record=False)
    assert not response.knowledge_gap
    led = [d for d in response.drafts if d.citations and d.citations[0].id == move]
    assert led, response.drafts
    assert "查" in led[0].text or "催" in led[0].text
    assert "您好。" not in led[0].text  # a greeting keeps its comma


@pytest.mark.parametrize("message", ["寄到广州要几天到", "后天什么时候能到", "下单后多久能到货"])
def test_when_a_parcel_arrives_is_answered_without_promising_a_day(
    scriptless_shop, tmp_path, message
):
    """No shop can promise an arrival day (明天必到 is banned): the courier decides, said so."""
    copilot = _copilot(tmp_path, scriptless_shop)
    response = copilot.draft(DraftRequest(message=message, n=3), record=False)
    assert not response.knowledge_gap
    cited = [c.id for d in response.drafts for c in d.citations]
    assert "playbook:shipping-arrival" in cited, [d.text for d in response.drafts]


@pytest.mark.parametrize(
    ("message", "move"),
    [
        ("再不给我退款我就打12315", "playbook:complaint-threat"),
        ("喝了你们的茶拉肚子了，退款什么时候到账", "playbook:quality-safety"),
    ],
)
def test_a_threat_or_a_safety_incident_is_handed_over_whatever_it_asks_about(
    scriptless_shop, tmp_path, message, move
):
    """Read as a refund question, the threat still needs the apology and the handover first."""
    copilot = _copilot(tmp_path, scriptless_shop)
    response = copilot.draft(DraftRequest(message=message, n=3), record=False)
    assert response.escalate.needed
    assert response.intent not in ("complaint", "quality_issue")  # the moves' own intents
    cited = [d.citations[0].id for d in response.drafts if d.citations]
    assert move in cited, response.drafts
    assert not response.knowledge_gap  # handing over is the answer, not knowledge to write


def test_a_gap_without_the_shops_confirm_script_uses_the_playbooks(scriptless_shop, tmp_path):
    copilot = _copilot(tmp_path, scriptless_shop)
    response = copilot.draft(DraftRequest(message="你们支持企业月结吗"), record=False)
    assert response.knowledge_gap
    first = response.drafts[0]
    assert first.citations[0].id.startswith("playbook:gap-")
    assert "确认" in first.text and not _NUMBERS.search(first.text)


def test_a_situational_move_behind_the_shops_scripts_still_answers_the_situation(
    tiny_shop, tmp_path
):
    """The shop's promotion script leads; the bargain move behind it answers 便宜点 in full."""
    with (tiny_shop / "scripts" / "basic.yaml").open("a", encoding="utf-8") as scripts:
        scripts.write(
            "- id: tea-coupons\n  intent: promotion\n  stage: presale\n"
            "  text: 店铺首页的优惠券领了以后下单就能用上。\n"
        )
    copilot = _copilot(tmp_path, tiny_shop)
    response = copilot.draft(DraftRequest(message="能便宜点吗 我买两斤", n=3), record=False)
    assert not response.knowledge_gap
    cited = [c.id for d in response.drafts for c in d.citations]
    assert "playbook:promotion-bargain" in cited, cited


def test_the_shops_own_script_for_the_situation_answers_it_and_leads(tiny_shop, tmp_path):
    """The shop's bargain script reads far from 两斤一起买能便宜点吗 but is its answer to it."""
    with (tiny_shop / "scripts" / "basic.yaml").open("a", encoding="utf-8") as scripts:
        scripts.write(
            "- id: tea-coupons\n  intent: promotion\n  stage: presale\n"
            "  text: 店铺首页的优惠券领了以后下单就能用上。\n"
            "- id: tea-bargain\n  intent: promotion\n  stage: presale\n"
            "  text: 茶叶已经是到手价了，我这边改不了价，满两百店铺会再送一份试饮装。\n"
            "  tags: [bargain]\n"
        )
    copilot = _copilot(tmp_path, tiny_shop)
    response = copilot.draft(DraftRequest(message="两斤一起买能便宜点吗", n=3), record=False)
    assert not response.knowledge_gap
    assert response.drafts[0].citations[0].id == "script:tea-bargain"
    calm = copilot.prepare(DraftRequest(message="店铺优惠券在哪领"))
    assert calm.script_scores.get("script:tea-bargain", 0.0) < 0.5  # no bargaining: no lift


def test_asking_after_ones_own_order_looks_it_up_before_any_rule(tiny_shop, tmp_path):
    """The shop's dispatch rule reads close to 发货了吗 but says nothing of this order."""
    copilot = _copilot(tmp_path, tiny_shop)
    response = copilot.draft(DraftRequest(message="发货了吗", n=3), record=False)
    assert response.drafts[0].citations[0].id == "playbook:shipping-where"
    cited = [c.id for d in response.drafts for c in d.citations]
    assert "rule:delivery:发货时效" in cited  # the rule still comes, after the look-up
    urged = copilot.draft(DraftRequest(message="帮我催一下发货吧"), record=False)
    assert urged.drafts[0].citations[0].id == "playbook:shipping-urge"
    # asking to hurry says the customer has been waiting: the draft acknowledges it first
    assert urged.urgency != "low"
    markers = load_phrasing()["apology_markers"]
    assert any(marker in urged.drafts[0].text[:12] for marker in markers), urged.drafts[0].text
    shipped = OrderContext(shipped_at="2026-12-01T10:00:00", courier="申通", tracking_no="ST12345")
    with_order = copilot.draft(DraftRequest(message="发货了吗", order=shipped), record=False)
    assert "ST12345" in with_order.drafts[0].text  # the order itself answers


def test_a_move_that_acts_comes_in_behind_a_script_that_only_reads_close(tiny_shop, tmp_path):
    """帮我催一下快递 reads close to the signed-but-missing script, which does not hurry anyone;
    a move that only promises to find out (附贺卡) stays out behind a close script."""
    with (tiny_shop / "scripts" / "basic.yaml").open("a", encoding="utf-8") as scripts:
        scripts.write(
            "- id: tea-signed\n  intent: shipping\n  stage: insale\n"
            "  text: 快递显示签收但您没收到的话，请先问问家人或附近的快递柜。\n"
            "- id: tea-card\n  intent: other\n  stage: presale\n"
            "  text: 送礼可以免费加贺卡，祝福语写在订单备注里就行。\n"
        )
    copilot = _copilot(tmp_path, tiny_shop)
    context = copilot.prepare(DraftRequest(message="帮我催一下快递"))
    assert context.script_scores["script:tea-signed"] >= 0.38  # it reads close to the message
    assert "playbook:shipping-urge" in [move.id for move in context.situation_moves]
    context = copilot.prepare(DraftRequest(message="送礼能加贺卡吗"))
    assert context.script_scores["script:tea-card"] >= 0.38
    assert all("gift" not in move.id for move in context.scripts)


def test_the_shops_own_script_wins_over_the_playbook(tiny_shop, tmp_path):
    copilot = _copilot(tmp_path, tiny_shop)
    hello = copilot.draft(DraftRequest(message="你好"), record=False)
    assert hello.drafts[0].citations[0].id == "script:tea-greeting"
    assert all(
        not c.id.startswith("playbook:greeting-presale") for d in hello.drafts for c in d.citations
    )
    gap = copilot.draft(DraftRequest(message="你们支持企业月结吗"), record=False)
    assert gap.drafts[0].citations[0].id == "script:tea-gap"


def test_a_shop_overrides_and_switches_off_moves(scriptless_shop, tmp_path):
    (scriptless_shop / "playbook.yaml").write_text(
        "disabled: [promotion-price-match]\n"
        "moves:\n"
        "  - id: promotion-bargain\n"
        "    intent: promotion\n"
        "    text: 茶叶价格是统一定的，我没办法改价，不过页面上的优惠券都能用。\n"
        "    tags: [bargain]\n",
        encoding="utf-8",
    )
    copilot = _copilot(tmp_path, scriptless_shop)
    bargain = copilot.draft(DraftRequest(message="能便宜点吗"), record=False)
    texts = " ".join(d.text for d in bargain.drafts)
    assert "茶叶价格是统一定的" in texts
    sources = {c.source for d in bargain.drafts for c in d.citations if c.id.endswith("bargain")}
    assert sources == {"playbook.yaml"}
    match = copilot.draft(DraftRequest(message="拼多多上比你们便宜"), record=False)
    assert all("price-match" not in c.id for d in match.drafts for c in d.citations)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "moves:\n  - id: x\n    intent: haggle\n    text: 好的\n",
            r"move 1 \(x\): field 'intent'",
        ),
        ("moves:\n  - id: x\n    intent: other\n    text: 您的{order}\n", r"unknown slot"),
        ("disabled: [no-such-move]\n", r"field 'disabled': unknown move id\(s\) no-such-move"),
        ("moves: [\n", r"playbook.yaml: invalid YAML"),
        (
            "moves:\n  - {id: a, intent: other, text: 好}\n  - {id: a, intent: other, text: 好}\n",
            r"move 2 \(a\): field 'id': duplicate id",
        ),
    ],
)
def test_a_broken_playbook_file_is_reported_by_file_move_and_field(tiny_shop, content, expected):
    (tiny_shop / "playbook.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=expected):
        load_knowledge(tiny_shop)


def test_an_empty_knowledge_directory_is_served_from_the_playbook_only(tmp_path):
    empty = tmp_path / "empty_shop"
    empty.mkdir()
    assert any("built-in playbook only" in w for w in load_knowledge(empty).warnings)
    copilot = _copilot(tmp_path, empty)
    for message in ("在吗", "这个多少钱", "快递三天没动了", "质量太差了 我要退货", "开专票"):
        response = copilot.draft(DraftRequest(message=message), record=False)
        assert response.drafts, message
        for draft in response.drafts:
            assert all(c.type == "playbook" for c in draft.citations), draft
            assert not _NUMBERS.search(draft.text), draft.text


def test_a_move_that_names_the_product_cites_the_product(tmp_path):
    products_only = tmp_path / "products_only"
    shutil.copytree(bundled_knowledge_dir() / "products", products_only / "products")
    copilot = _copilot(tmp_path, products_only)
    request = DraftRequest(message="这个电水壶容量多大", sku="HM-K001")
    response = copilot.draft(request, record=False)
    named = [
        d for d in response.drafts if any(c.id == "playbook:product-focus" for c in d.citations)
    ]
    assert named, [d.text for d in response.drafts]
    for draft in named:
        assert "1.7L" in draft.text
        assert "product:HM-K001" in [c.id for c in draft.citations]


def test_a_shop_that_switches_every_move_off_still_gets_an_honest_draft(tmp_path):
    empty = tmp_path / "bare_shop"
    empty.mkdir()
    ids = [m.id for m in built_in_playbook().moves]
    (empty / "playbook.yaml").write_text(f"disabled: [{', '.join(ids)}]\n", encoding="utf-8")
    copilot = _copilot(tmp_path, empty)
    for message in ("你好", "能便宜点吗", "质量太差了 我要退货", "你们卖不卖手机壳"):
        drafts = copilot.draft(DraftRequest(message=message), record=False).drafts
        assert drafts, message
        for draft in drafts:  # the drafter's own promise-free words, citing nothing
            assert draft.text and not draft.citations and not _NUMBERS.search(draft.text)
