"""Personal data in every format customers write it: found, flagged and masked everywhere."""

import logging
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from copilot.log_masking import PersonalDataFilter
from copilot.personal_data import find, has_personal_data, luhn, mask
from copilot.schemas import DraftRequest
from copilot.understand.risk import detect_flags

FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
CHINESE = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
SEPARATORS = ["", " ", "-", ".", "·", "  ", " - "]
CONTEXTS = ["{}", "我电话{}快递打不通", "手机：{}，麻烦备注", "联系人张三 {} 谢谢", "号码是{}哦"]


def write(digits: str, rng: random.Random, groups: tuple[int, ...]) -> str:
    """digits as a customer might type them: grouped, separated, in mixed digit styles."""
    style = rng.choice(["ascii", "full", "chinese", "mixed", "yao"])
    chars = []
    for digit in digits:
        kind = rng.choice(["ascii", "full", "chinese"]) if style == "mixed" else style
        if kind == "yao":
            kind = "chinese"
            chars.append("幺" if digit == "1" else CHINESE[digit])
            continue
        chars.append({"ascii": digit, "full": FULL_WIDTH[digit], "chinese": CHINESE[digit]}[kind])
    separator = rng.choice(SEPARATORS)
    pieces, position = [], 0
    for size in groups:
        pieces.append("".join(chars[position : position + size]))
        position += size
    return separator.join(pieces)


def digits_of(text: str) -> str:
    table = {ord(v): k for k, v in {**FULL_WIDTH, **CHINESE}.items()} | {ord("幺"): "1"}
    return "".join(c for c in text.translate(table) if c.isdigit())


@settings(max_examples=300, deadline=None)
@given(
    number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    seed=st.integers(0, 10**6),
    prefix=st.sampled_from(["", "+86 ", "86", "+86-", "＋86 "]),
)
def test_mobile_numbers_in_any_format_are_found_and_masked(number, seed, prefix):
    rng = random.Random(seed)
    written = prefix + write(number, rng, rng.choice([(11,), (3, 4, 4), (3, 8), (4, 4, 3)]))
    text = rng.choice(CONTEXTS).format(written)
    assert has_personal_data(text), text
    assert number not in digits_of(mask(text)), (text, mask(text))
    assert "pii" in detect_flags(text)


def id_number(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


@settings(max_examples=200, deadline=None)
@given(
    area=st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
    born=st.dates(),
    serial=st.from_regex(r"[0-9]{3}", fullmatch=True),
    seed=st.integers(0, 10**6),
)
def test_id_numbers_with_spaces_are_found_and_masked(area, born, serial, seed):
    if not 1900 <= born.year <= 2099:
        return
    number = id_number(area + born.strftime("%Y%m%d") + serial)
    rng = random.Random(seed)
    written = rng.choice([number, " ".join([number[:6], number[6:14], number[14:]])])
    written = written if number[-1] != "X" else written[:-1] + rng.choice("Xx")
    text = f"身份证号 {written} 麻烦核对"
    assert [f.kind for f in find(text)] == ["id_card"], text
    assert number[6:14] not in mask(text)


@settings(max_examples=100, deadline=None)
@given(body=st.from_regex(r"62[0-9]{14}", fullmatch=True))
def test_bank_cards_in_groups_are_found_and_masked(body):
    card = next(body + d for d in "0123456789" if luhn(body + d))
    text = f"退到卡 {' '.join(card[i : i + 4] for i in range(0, len(card), 4))} 吧"
    assert mask(text) == f"退到卡 **** {card[-4:]} 吧"


def test_order_and_tracking_numbers_are_not_personal_data():
    for text in ("快递单号SF1428765530912", "订单号 3918204756128834510", "规格 3 件 129 元"):
        assert mask(text) == text, text


def test_every_place_masks_the_same_formats(bundled_copilot, tmp_path, caplog):
    identity = id_number("11010519900307727")
    message = f"我电话是 +86 138.1234.5678，身份证 {identity}"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, message, None, None)
    record.path = "/v1/x/１３８１２３４５６７８"
    PersonalDataFilter().filter(record)
    assert "5678" in record.getMessage() and "1234" not in record.getMessage()
    assert "１２３４" not in record.path
    response = bundled_copilot.draft(DraftRequest(message=message))
    stored = next(
        row for row in bundled_copilot.feedback.served() if row["request_id"] == response.request_id
    )
    assert "1234" not in stored["message"] and "19900307" not in stored["message"]
    assert "pii" in response.flags
