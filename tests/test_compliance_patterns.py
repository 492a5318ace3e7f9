"""Compliance as agents really write: patterns, run-on text, ordinals, evasions, shop patterns.

The realistic replies (tests/data/compliance/agent_replies.txt) and the evasion generator
(tests/compliance_evasions.py) were written for this and are not derived from the lexicon.
"""

import re
from collections import Counter, defaultdict

import pytest
import yaml
from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.compliance.guard import ComplianceGuard
from copilot.compliance.lexicon import load_lexicon
from copilot.config import bundled_knowledge_dir
from copilot.drafting.guarding import SAFE_STRATEGY
from copilot.errors import KnowledgeError
from copilot.schemas import DraftRequest
from copilot.service import Copilot
from tests.compliance_evasions import generate
from tests.conftest import DATA
from tests.fakes import ScriptedDrafter
from tests.test_compliance_quality import BLOCK_CATEGORIES

REPLIES = DATA / "compliance" / "agent_replies.txt"
PUNCTUATION = re.compile(r"[，,。！？!?；;：:、…~～ ]")


@pytest.fixture(scope="module")
def guard():
    return ComplianceGuard(load_lexicon(bundled_knowledge_dir()))


def blocked(guard, text: str, agent: bool = True) -> set[str]:
    return {h.category for h in guard.hits(text, agent=agent) if h.severity == "block"}


def replies() -> list[tuple[str, str]]:
    lines = REPLIES.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line and not line.startswith("#")]


# the issue's examples: each must be caught, in the category given
MISSED_BEFORE = [
    ("亲收到货满意的话给个五星好评截图发我返您5元现金", "review_manipulation"),
    ("晒图评价后联系客服领取红包", "review_manipulation"),
    ("追评带图奖励3元", "review_manipulation"),
    ("亲能不能把差评删了我给您补偿10元", "review_manipulation"),
    ("麻烦您把评价改一下", "review_manipulation"),
    ("好平返现哦亲", "review_manipulation"),
    ("我们不会乱发货的好评返现5元哈", "review_manipulation"),
    ("这个价格是最低的了", "absolute_terms"),
    ("价格方面我们是全平台最优惠的", "absolute_terms"),
    ("没有比我们更便宜的了", "absolute_terms"),
    ("这个价最最便宜了", "absolute_terms"),
    ("加我wēi xìn", "off_platform_contact"),
    ("加我wei1xin4", "off_platform_contact"),
    ("加我𝐯𝐱", "off_platform_contact"),
    ("加我🅥🅧", "off_platform_contact"),
    ("加我ѵх", "off_platform_contact"),
    ("加我νχ详聊", "off_platform_contact"),
    ("有事找我vx123456", "off_platform_contact"),
    ("➕V详聊", "off_platform_contact"),
    ("加个绿泡泡细聊", "off_platform_contact"),
    ("走zfb转账更便宜", "off_platform_contact"),
    ("支持微信支付abc12345", "off_platform_contact"),
    ("13812345678有事联系", "off_platform_contact"),
    ("一三八1234五六七八", "off_platform_contact"),
    ("+86 138-1234-5678", "off_platform_contact"),
    ("加个企鹅123456", "off_platform_contact"),
    ("加我威信hm666", "off_platform_contact"),
    ("你个sha比", "insults"),
    ("这个足贴能治liao失眠", "medical_claims"),
    ("这个茶能降xue压", "medical_claims"),
    ("这款终生保修", "overpromise"),
    ("质保终身的亲", "overpromise"),
    ("保修一辈子", "overpromise"),
    ("永久包换", "overpromise"),
    ("这个能用一辈子", "overpromise"),
    ("好评反现5元", "review_manipulation"),
    ("假一赔10", "overpromise"),
    ("假壹赔拾", "overpromise"),
]
# ordinary wording the guard used to flag or could flag: never a block hit
LOOK_ALIKES = [
    "第一件半价",
    "第一个颜色是米白的",
    "给您包好再发",
    "我们尽最大努力帮您催",
    "最好用冷水手洗不要暴晒",
    "这款的唯一区别是颜色",
    "我们的威信很高",
    "这个企鹅玩具很可爱",
    "蝙蝠衫的版型比较宽松",
    "这款好评率挺高的回购的人也多",
    "亲收到有质量问题可以申请返修",
    "评价的问题我们会改进的",
    "您说的返现活动我们店没有的可能是别家",
    "客服不会要求您私下转账、扫码付款或提供银行卡密码",
    "本店不会通过站外链接、电话或短信办理退款",
    "我们的商品不是药品，不能代替治疗",
    "顺丰客服电话95338可以直接问物流",
    "宝宝出牙期抓握啃咬用",
    "快递单号是SF1428765530912您可以查一下",
    "您的订单号是3918204756128834512已经发货了",
    "没有比较过别家的价格不好说",
    "最低起订量是5件",
    "最多可以叠加一张店铺券",
    "支持微信支付也支持支付宝付款的",
    "专票请提供公司名称税号开户行账号地址和电话",
    # found in the bundled shop's own FAQ: 充电宝 holds 电宝 (as 电报), 20000mAh is no ID
    "用20W快充头给充电宝充电，大约3小时充满",
    "20000毫安的能带上飞机吗？20000mAh 大容量充电宝",
]


@pytest.mark.parametrize(("text", "category"), MISSED_BEFORE)
def test_every_example_of_the_issue_is_caught(guard, text, category):
    assert category in blocked(guard, text), [(h.category, h.matched) for h in guard.hits(text)]


def test_an_ordinal_follower_in_the_next_clause_does_not_excuse_a_claim(guard):
    assert "absolute_terms" in blocked(guard, "第一，个人抬头改为公司抬头同样可以重开")
    assert not blocked(guard, "第一个人抬头改为公司抬头的订单已经重开")


def test_the_bundled_knowledge_uses_no_banned_term(bundled_copilot):
    assert bundled_copilot.banned_in_knowledge() == []


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_ordinary_wording_is_not_flagged(guard, text):
    assert not blocked(guard, text), [(h.category, h.matched) for h in guard.hits(text)]


def test_realistic_agent_replies_recall_097_false_positives_at_most_half_a_percent(guard):
    rows = replies()
    violations = [(label, text) for label, text in rows if label != "ok"]
    ordinary = [text for label, text in rows if label == "ok"]
    assert len(rows) >= 400 and len(violations) >= 120
    assert sum(not PUNCTUATION.search(text) for _, text in rows) >= len(rows) / 2
    assert {label for label, _ in violations} == set(BLOCK_CATEGORIES)
    missed = [(label, text) for label, text in violations if label not in blocked(guard, text)]
    flagged = [(text, blocked(guard, text)) for text in ordinary if blocked(guard, text)]
    recall = 1 - len(missed) / len(violations)
    rate = len(flagged) / len(ordinary)
    print(f"\nrealistic replies: recall {recall:.3f} on {len(violations)}, ", end="")
    print(f"false positives {rate:.4f} on {len(ordinary)}")
    assert recall >= 0.97, missed
    assert rate <= 0.005, flagged


def test_generated_evasions_recall_at_least_097(guard):
    rows = generate()
    assert len(rows) >= 300
    tricks = Counter(row["trick"] for row in rows)
    assert len(tricks) >= 12, tricks
    missed = defaultdict(list)
    for row in rows:
        if row["category"] not in blocked(guard, row["text"]):
            missed[row["trick"]].append(row["text"])
    recall = 1 - sum(map(len, missed.values())) / len(rows)
    print(f"\ngenerated evasions: recall {recall:.3f} on {len(rows)}; missed {dict(missed)}")
    assert recall >= 0.97, dict(missed)


def test_the_shops_knowledge_and_the_built_in_moves_are_never_flagged(guard):
    """Every sentence the drafter may quote, from all sample shops and the playbook."""
    root = bundled_knowledge_dir().parent
    texts = []
    for path in [*root.glob("knowledge/**/*.yaml"), *root.glob("shops/**/*.yaml")]:
        if path.name != "banned_words.yaml":
            texts += list(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    for path in [*root.glob("knowledge/**/*.md"), *root.glob("shops/**/*.md")]:
        texts += re.split(r"(?<=[。！？\n])", path.read_text(encoding="utf-8"))
    for path in (root / "copilot" / "drafting" / "data").glob("*.yaml"):
        texts += list(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    texts = [t.strip() for t in texts if len(t.strip()) > 1]
    assert len(texts) > 2000
    flagged = [(t, blocked(guard, t)) for t in texts if blocked(guard, t)]
    assert not flagged


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_a_pattern_hit_shows_the_whole_span_and_why(guard):
    text = "亲收到货给个五星好评截图发我返您5元现金哦"
    (hit,) = [h for h in guard.hits(text) if h.category == "review_manipulation"]
    assert text[hit.start : hit.end] == hit.matched
    assert hit.matched == "五星好评截图发我返您5元现金"  # every part, not only the first pair
    assert "好评" in hit.term and "…" in hit.term and "奖励" in hit.explanation
    cleaned = guard.check(text).cleaned
    assert "返" not in cleaned and "好评" not in cleaned


def test_negation_reaches_only_across_bridge_words_within_its_clause(guard):
    assert not blocked(guard, "客服不会让您加微信或者扫码付款")
    assert not blocked(guard, "本品不具有治疗功效")
    assert "review_manipulation" in blocked(guard, "质量不会有问题的给个好评返现哈")
    assert "review_manipulation" in blocked(guard, "能不能改成好评呀我给您退5块钱")  # asks
    assert "off_platform_contact" in blocked(guard, "我们不乱发货哦加我微信聊")  # 哦 ends it


def test_digits_end_a_latin_word_but_letters_do_not(guard):
    assert "off_platform_contact" in blocked(guard, "vx123456")
    assert not blocked(guard, "这根是usb3.0的线")


def test_a_customers_own_phone_number_is_not_a_violation(guard, bundled_copilot):
    message = "我电话13812345678快递员联系不上我"
    assert "off_platform_contact" in blocked(guard, message)
    assert not blocked(guard, message, agent=False)
    response = bundled_copilot.draft(DraftRequest(message=message))
    assert all(draft.strategy != "合规说明" for draft in response.drafts)


def test_check_endpoint_reports_pattern_hits(bundled_copilot):
    text = "这个价格是最低的了亲放心拍"
    with TestClient(create_app(copilot=bundled_copilot)) as client:
        body = client.post("/v1/compliance/check", json={"text": text}).json()
    assert body["passed"] is False
    (hit,) = body["hits"]
    assert (hit["category"], hit["matched"]) == ("absolute_terms", "价格是最低")
    assert text[hit["start"] : hit["end"]] == hit["matched"] and "价格" in hit["explanation"]


@pytest.fixture(scope="module")
def scripted(bundled_copilot):
    fake = ScriptedDrafter()
    c = bundled_copilot
    return fake, Copilot(
        c.settings, c.embeddings, c.store, c.retriever, c.analyzer, c.grounder, c.offline, fake
    )


RUN_ON_DRAFTS = [
    "亲质量您放心的收到货给个五星好评截图发我返您5元现金有问题随时找我哦",
    "亲这个价格是最低的了放心拍今天下午就发",
    "好的亲有问题直接加我vx123456我这边看到马上回您",
    "这边建议您先试穿一下合适的话加我𝐰𝐱详聊",
]


@pytest.mark.parametrize("text", RUN_ON_DRAFTS)
def test_drafts_streamed_or_not_are_cleaned_by_the_same_patterns(scripted, text):
    fake, copilot = scripted
    fake.enqueue(text)
    response = copilot.draft(DraftRequest(message="能发顺丰吗", n=1))
    fake.enqueue(text)
    events = list(copilot.draft_events(DraftRequest(message="能发顺丰吗", n=1)))
    streamed = [p["text"] for name, p in events if name in ("delta", "draft")]
    for draft in response.drafts:
        assert copilot.check(draft.text).passed and draft.compliance.removed
        assert draft.strategy == SAFE_STRATEGY or draft.text != text
    assert streamed and all(copilot.check(t).passed for t in streamed)


def test_a_shop_adds_its_own_patterns(tmp_path):
    (tmp_path / "compliance").mkdir()
    rules = {
        "categories": {"tea_claims": {"severity": "block", "words": ["降压茶"]}},
        "patterns": {
            "tea_cures": {
                "category": "tea_claims",
                "why": "茶和降压说在一起",
                "near": [["喝", "泡"], ["降压", "降血脂"]],
                "within": 6,
                "scope": "clause",
            }
        },
    }
    path = tmp_path / "compliance" / "banned_words.yaml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    guard = ComplianceGuard(load_lexicon(tmp_path))
    assert "tea_claims" in blocked(guard, "这款每天喝一杯慢慢就降压了")
    assert not blocked(guard, "这款每天喝一杯很解渴")
    rules["patterns"]["tea_cures"]["category"] = "no_such_category"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        KnowledgeError, match=r"banned_words.yaml: field 'patterns.tea_cures.category'"
    ):
        load_lexicon(tmp_path)
    rules["patterns"]["tea_cures"]["near"] = [["喝"]]
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"patterns.tea_cures.near"):
        load_lexicon(tmp_path)
