"""A draft never states an order's status that the request's order does not show.

Shops write scripts for the usual case ("包裹已经发出", "退款已经操作了"), and an LLM may assert a
status too. Said to a customer whose parcel has not left, that is a false promise in a chat record
that counts as evidence. A sentence that asserts a status the order does not show is replaced by
the honest "I'll check the order" sentence; conditional sentences ("显示已签收的话…") are kept.
"""

from copilot.drafting.facts import draft_sentences as sentences
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
}  # fmt: skip
# the order statuses that show each claim (a return's arrival is never in the order we get)
SHOWN_BY: dict[str, frozenset[str]] = {
    "shipped": frozenset({"shipped", "delivered"}),
    "delivered": frozenset({"delivered"}),
    "refunded": frozenset({"refunding", "closed"}),
    "return_received": frozenset(),
}
# a sentence with one of these does not assert: it supposes, asks or explains the usual course
NOT_ASSERTING = (
    "如果", "的话", "若是", "是否", "有没有", "吗", "一般", "通常", "之后", "以后", "后会",
)  # fmt: skip


def claims_in(sentence: str) -> list[str]:
    """The order statuses a sentence asserts as fact."""
    if any(word in sentence for word in NOT_ASSERTING):
        return []
    return [claim for claim, phrases in CLAIMS.items() if any(p in sentence for p in phrases)]


def shown(claim: str, order: OrderContext | None) -> bool:
    """Whether the request's order shows the claimed status."""
    if order is None:
        return False
    if claim == "shipped" and order.shipped_at is not None:
        return True
    return order.status in SHOWN_BY[claim]


def unsupported(text: str, order: OrderContext | None) -> list[str]:
    """The statuses a text asserts that the order does not show."""
    return [c for s in sentences(text) for c in claims_in(s) if not shown(c, order)]


def keep_to_the_order(text: str, order: OrderContext | None, check_sentence: str) -> str:
    """The text with each sentence asserting an unshown status replaced by check_sentence."""
    out: list[str] = []
    for sentence in sentences(text):
        if any(not shown(claim, order) for claim in claims_in(sentence)):
            if check_sentence not in out:
                out.append(check_sentence)
            continue
        out.append(sentence)
    return "".join(out)
