"""Situations are recognised as customers write them: a word or two inside the trigger phrase."""

from pathlib import Path

import pytest

from copilot.drafting.triggers import mentions, mentions_any
from copilot.schemas import DraftRequest
from tests.conftest import ingested_copilot

HOME_SHOP = Path(__file__).parent / "data" / "home_shop"  # products and rules, no scripts


@pytest.mark.parametrize(
    ("text", "word", "found"),
    [
        ("退款什么时候到", "什么时候到", True),
        ("什么时候能到", "什么时候到", True),
        ("什么时候可以到啊", "什么时候到", True),
        ("退款还没有到账", "没到账", True),
        ("能便宜一点吗", "便宜点", True),
        ("好的我知道了", "好的知道了", True),
        ("什么时候我们才能收到", "什么时候到", False),  # more than two inside
        ("还没，到了再说", "还没到", False),  # not within one clause
        ("取了消息", "取消", False),  # two characters match only as written
        ("打12 315", "12315", False),  # digits match only as written
        ("", "没到账", False),
        ("节假日发不发货", "不发货", False),  # asks either way, no complaint
        ("怎么还不发货", "不发货", True),
        ("到底发不发货 都不发货三天了", "不发货", True),
        ("签收了没", "签收没", True),
        ("显示签收但我没收到", "签收没", False),  # the closing 没 must follow the question
        ("寄回去的你们收到了没", "收到没", True),
    ],
)
def test_a_trigger_matches_with_at_most_two_characters_inside_one_clause(text, word, found):
    assert mentions(text, word) is found


def test_any_of_the_triggers():
    assert mentions_any("物流一直没有更新", ["不动", "没更新"])
    assert not mentions_any("物流一直没有更新", ["不动", "卡住"])
    assert not mentions_any("物流一直没有更新", [])


def test_a_situation_said_with_an_inserted_word_gets_its_move(tmp_path):
    """没有更新 is the stuck-parcel situation that 没更新 names."""
    copilot = ingested_copilot(tmp_path, knowledge_dir=HOME_SHOP, shop="home")
    context = copilot.prepare(DraftRequest(message="我的快递物流三天都没有更新了"))
    assert "playbook:shipping-stuck" in [move.id for move in context.situation_moves]
