"""A draft never states an order's status that the request's order does not show.

Shops write scripts for the usual case ("包裹已经发出", "退款已经操作了"), and an LLM may assert a
status too. Said to a customer whose parcel has not left, that is a false promise in a chat record
that counts as evidence. A sentence that asserts a status the order does not show is replaced by
the honest "I'll check the order" sentence; conditional sentences ("显示已签收的话…") are kept.
"""

import re
from datetime import UTC, datetime, timedelta

from copilot.drafting.facts import draft_sentences as sentences
from copilot.drafting.triggers import CLAUSE_BREAKS
from copilot.schemas import OrderContext

# what a sentence asserts when it uses one of these phrases
CLAIMS: dict[str, tuple[str, ...]] = {
    "shipped": (
        "已经发出", "已发出", "已发货", "已经发货", "已经寄出", "已寄出", "已经在路上", "在路上了",
        "已出库", "已经出库", "已经揽收", "已揽收",
    ),
    "delivered": ("已签收", "已经签收", "已送达", "已经送达", "已妥投", "已经妥投"),
    "refunded": (
        "已退款", "已经退款", "退款已经操作", "退款已操作", "退款已到账", "退款已经到账",
        "已经给您退款", "已为您退款", "已经为您退款", "钱已经退", "款已经退",
    ),
    "return_received": (
        "已收到您的退货", "已经收到您的退货", "退货已收到", "退货已经收到", "已收到您寄回",
        "已经收到您寄回", "还没收到您的退货", "还没有收到您的退货", "退货还没到", "还没收到退货",
        "仓库已签收", "仓库已经签收", "仓库还没签收", "仓库还没有签收", "仓库已收到",
        "仓库已经收到", "仓库还没收到", "仓库还没有收到",
    ),
    "not_shipped": (
        "正在打包", "还没发货", "还没有发货", "尚未发货", "还未发出", "还没发出", "还没寄出",
    ),
}  # fmt: skip
# the order statuses that show each claim (a return's arrival is never in the order we get)
SHOWN_BY: dict[str, frozenset[str]] = {
    "shipped": frozenset({"shipped", "delivered"}),
    "delivered": frozenset({"delivered"}),
    "refunded": frozenset({"refunding", "closed"}),
    "return_received": frozenset(),
    "not_shipped": frozenset({"unpaid", "paid"}),
}
# after a claim's phrase these make it a kind of order, not this one ("还没发货的订单可以改地址")
GENERIC_AFTER = ("的", "时", "前", "之前")
# the customer saying their order has not left is the situation a shop's script was written for
SAID_NOT_SHIPPED = ("没发货", "没有发货", "没发出", "还没发", "未发货", "还不发")  # not 发不发货
# the customer saying their order has left (已经发货了还能改地址吗), not asking whether it has
SAID_SHIPPED = ("已经发货", "已发货", "已经发出", "已经寄出", "已经出库", "已经发了")
# what follows a phrase that asks rather than says (已经发货了吗, 已经发了没)
_ASKS_AFTER = re.compile(r"了?[吗没么嘛呢]")
# a rule or script written for orders that have not left yet
BEFORE_SHIPPING = (
    "还没发货的话", "没发货的话", "没发货前", "发货前", "还没发货的订单", "未发货的订单",
    "尚未发货的", "还没有发货的",
)  # fmt: skip
# a sentence saying this order is late ("订单超过48小时没有发货，我们会按规则给您补偿")
LATE_ASSERTIONS = (
    "小时没有发货",
    "小时未发货",
    "小时还没发货",
    "超时未发货",
    "超时发货了",
    "没有按时发货",
    "未按时发货",
    "逾期未发货",
    "发货超时了",
    "已经超时",
    "已超时",
)
# a rule that only applies to late orders ("承诺时间内没有发货的订单，本店按…补偿")
LATE_RULES = (
    "承诺时间内没有发货",
    "承诺时间内未发货",
    "延迟发货的订单",
    "超时发货的订单",
    "逾期发货",
    "延迟发货补偿",
    "超时未发货的订单",
)
# a rule that only applies within the return window after receipt
RETURN_WINDOW_RULES = ("七天无理由", "7天无理由", "七天内可以退", "7天内可以退")
# a sentence that only qualifies the one before it ("因不可抗力…除外"): it goes with it
QUALIFIERS = ("除外", "不在此列", "不包括在内")
# the dispatch promise when the shop's text does not say ("付款后48小时内发货")
DEFAULT_DISPATCH_HOURS = 48
RETURN_WINDOW_DAYS = 7
# the longest a parcel travels: a return window is only certainly over this long after dispatch
LONGEST_TRANSIT_DAYS = 7
# the dispatch promise's hours: "N小时内(从杭州仓)发货", not "1小时内处理" of a refund rule
_HOURS = re.compile(r"(\d+)\s*小时(?:内|没有|未|还没)[^，。；,;\d]{0,6}?发")
# a clause with one of these (or after a clause with one) does not assert: it supposes, asks or
# explains the usual course; a later clause does not take back an earlier one
# (退款已经操作了，支付宝一般即时到账 says the refund was made)
NOT_ASSERTING = (
    "如果", "的话", "若是", "是否", "有没有", "吗", "一般", "通常", "之后", "以后", "后会",
)  # fmt: skip


# claims whose sentence goes on about them (仓库还没收到您的退货，我帮您查一下退货物流…; 正在打包，
# 付款后48小时内会发出 read tone-deaf to a customer waiting four days): the rest goes too
CLAIMS_THE_REST_FOLLOWS = frozenset({"return_received", "not_shipped"})
_CLAUSE_END = re.compile(f"[{CLAUSE_BREAKS}]")


def _asserted(phrase: str, sentence: str) -> bool:
    """Whether the sentence uses the phrase of this order, not of a kind of order, as fact."""
    for found in re.finditer(re.escape(phrase), sentence):
        if sentence.startswith(GENERIC_AFTER, found.end()):
            continue
        clause_end = _CLAUSE_END.search(sentence, found.end())
        so_far = sentence[: clause_end.start() if clause_end else len(sentence)]
        if not any(word in so_far for word in NOT_ASSERTING):
            return True
    return False


def claims_in(sentence: str) -> list[str]:
    """The order statuses a sentence asserts as fact."""
    return [
        claim for claim, phrases in CLAIMS.items() if any(_asserted(p, sentence) for p in phrases)
    ]


def shown(claim: str, order: OrderContext | None, said: str = "") -> bool:
    """Whether the request's order (or, that it has not left, the customer) shows the status."""
    if claim == "not_shipped" and any(words in said for words in SAID_NOT_SHIPPED):
        return True
    if order is None:
        return False
    if claim == "shipped" and order.shipped_at is not None:
        return True
    if claim == "not_shipped" and order.shipped_at is not None:
        return False
    return order.status in SHOWN_BY[claim]


def known_shipped(order: OrderContext | None, said: str = "") -> bool:
    """Whether the order has left: the request's order shows it, or the customer says so."""
    return shown("shipped", order) or any(
        not _ASKS_AFTER.match(said, found.end())
        for phrase in SAID_SHIPPED
        for found in re.finditer(re.escape(phrase), said)
    )


def before_shipping(sentence: str) -> bool:
    """Whether a sentence is about orders that have not left yet (发货前可以改地址)."""
    return any(phrase in sentence for phrase in BEFORE_SHIPPING)


def unsupported(text: str, order: OrderContext | None, said: str = "") -> list[str]:
    """The statuses a text asserts that the order (or the customer) does not show."""
    return [c for s in sentences(text) for c in claims_in(s) if not shown(c, order, said)]


def _as_condition(sentence: str) -> str | None:
    """The sentence as a condition: 订单还没发货，X becomes 订单还没发货的话，X (X holds if so)."""
    first, comma, rest = sentence.partition("，")
    if not comma or claims_in(rest) or not first.endswith(CLAIMS["not_shipped"]):
        return None
    return f"{first}的话，{rest}"


def _now_like(moment: datetime) -> datetime:
    """Now, naive or aware as the order's own times are."""
    if moment.tzinfo is None:
        return datetime.now()
    return datetime.now(UTC)


def shipped_late(order: OrderContext | None, hours: int) -> bool | None:
    """Whether the order was (or is) dispatched later than promised; None when unknown."""
    if order is None or order.paid_at is None:
        return None
    until = order.shipped_at or _now_like(order.paid_at)
    try:
        return until - order.paid_at > timedelta(hours=hours)
    except TypeError:  # one time naive, the other aware
        return None


def return_window_over(order: OrderContext | None) -> bool:
    """Whether the order's return window is certainly over (dispatched long enough ago)."""
    if order is None or order.shipped_at is None:
        return False
    days = RETURN_WINDOW_DAYS + LONGEST_TRANSIT_DAYS
    try:
        return _now_like(order.shipped_at) - order.shipped_at > timedelta(days=days)
    except TypeError:
        return False


def _misapplied(sentence: str, order: OrderContext | None, hours: int) -> bool:
    """A sentence about lateness or the return window that this order does not bear out."""
    late = shipped_late(order, hours)
    # "your order is late" and the late-shipment rule go when the order shows it was on time;
    # without an order the customer's own words (都等了三天了) are the situation
    if any(p in sentence for p in LATE_ASSERTIONS + LATE_RULES):
        return late is False
    if any(p in sentence for p in RETURN_WINDOW_RULES):
        return return_window_over(order)
    return False


def keep_to_the_order(
    text: str, order: OrderContext | None, check_sentence: str, said: str = ""
) -> str:
    """The text with each sentence the order does not bear out replaced by check_sentence.

    That is a status the order does not show ("still packing" included: said is what the
    customer wrote, and their "还没发货" shows that one), "your order is late" and the
    late-shipment rule when the order was dispatched in time, and the return-window rule when
    the window is certainly over. A sentence that only starts with "not shipped yet" becomes a
    condition instead ("订单还没发货的话，…").
    """
    found = _HOURS.search(text)
    hours = int(found.group(1)) if found else DEFAULT_DISPATCH_HOURS
    out: list[str] = []
    dropped = False
    for sentence in sentences(text):
        if dropped and any(q in sentence for q in QUALIFIERS):
            continue  # the exception to a rule that was not quoted
        unshown = [claim for claim in claims_in(sentence) if not shown(claim, order, said)]
        if unshown == ["not_shipped"] and (condition := _as_condition(sentence)):
            sentence, unshown = condition, []
        dropped = bool(unshown) or _misapplied(sentence, order, hours)
        if dropped:
            if check_sentence not in out:
                out.append(check_sentence)
            if (
                unshown
                and not set(unshown) & CLAIMS_THE_REST_FOLLOWS
                and (rest := _after_claim(sentence))
            ):
                out.append(rest)  # 退款已经操作了，信用卡3到7个工作日 keeps how long it takes
            continue
        out.append(sentence)
    return "".join(out)


def _after_claim(sentence: str) -> str | None:
    """What a sentence says after its opening claim, when that holds without it.

    "退款已经操作了，支付宝一般即时到账，信用卡3到7个工作日。" still tells how long a refund takes
    once its first clause has become the check; a rest that claims a status itself does not.
    """
    first, comma, rest = sentence.partition("，")
    if not comma or not claims_in(first) or claims_in(rest):
        return None
    return rest
