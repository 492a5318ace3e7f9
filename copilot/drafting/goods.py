"""Questions whether the shop sells a kind of goods, and what the catalog says to them.

有没有3段奶粉, 普洱茶有吗, 你们有儿童床品吗 (and 想买个吹风机, which says what the customer came
for) ask whether the shop sells something, not about a
product's attribute. The last word of what is asked names the kind of goods (奶粉, 茶, 床品);
when the shop's catalog has that kind, the words before it (3段, 普洱, 儿童) must be in one of
those products too, or the shop does not list it. A word that names no kind of the shop's goods
(有夜间模式吗, 有优惠吗, 有XL吗) is not such a question here, whatever the grammar.
"""

import re
from collections.abc import Sequence
from typing import NamedTuple

from copilot.index.text import normalize

# who or what comes before 有/卖 (你们有…吗, 店里卖…吗, 请问有卖…吗)
_SHOP = r"(?:你们家|你们店|你们|你家|店里|店铺|贵店|这边|这里|咱家|请问|问下|问一下|想问)"
_STOP = r"[，,。！!？?\s~～]"
_GOODS = r"(?P<goods>[^，,。！!？?\s~～有]{1,10}?)"
# whom it is for (给猫买, 给宝宝买)
_BUYER = r"[^，,。！!？?\s~～买]{1,4}?"
_ASKS = (
    re.compile(
        rf"(?:^|{_STOP}|{_SHOP})(?:有没有|有无|有木有)(?:卖|在卖)?{_GOODS}(?:卖)?(?:吗|呢|啊|呀|$|{_STOP})"
    ),
    re.compile(rf"(?:^|{_STOP}|{_SHOP})(?:有卖|在卖|有|卖){_GOODS}(?:卖)?(?:吗|么|不|没)"),
    re.compile(rf"卖不卖{_GOODS}(?:吗|呢|$|{_STOP})"),
    re.compile(
        rf"(?:^|{_STOP}|{_SHOP}){_GOODS}(?:还)?有(?:卖吗|的卖吗|吗|么|没有)(?:$|{_STOP}|[吗呢啊呀])"
    ),
    # a customer who ends by saying what they came to buy (想买个吹风机, 我想给猫买点粮) asks the
    # same; not 想买这个锅 但是电磁炉能用吗, which asks something else about it
    re.compile(
        rf"(?:^|{_STOP})我?(?:想|要|准备|打算)(?:给(?P<buyer>{_BUYER}))?(?:买|入)"
        r"(?:点|个|些|一些|一个|一点)?"
        rf"{_GOODS}[吗呢啊呀吧~～。！!\s]*$"
    ),
)
# said around the goods, not part of them (那种, 这个, 的)
_AROUND = ("那种", "这种", "这个", "那个", "一款", "一些", "别的", "其他", "的", "款", "类", "呀")
# a question word where the goods would be
ASKING = frozenset("什啥哪多几怎")
# words of a request or a recommendation (适合老人的茶), not of a kind of goods
NOT_A_KIND = frozenset("适给送用能可帮配便宜好贵新多少更最")
# characters of chat, never of the name of goods (卖的是正品吗, 卖完了吗, 卖得好吗)
NOT_GOODS = frozenset("是的了吗都也还得在就着过么呢啊吧")
MIN_GOODS_CHARS = 2
# Chinese numerals and their digits (三段 and 3段 are one model)
NUMERALS = {c: str(i) for i, c in enumerate("零一二三四五六七八九十")} | {"两": "2"}
_NUMERALS = str.maketrans(NUMERALS)


class GoodsAsked(NamedTuple):
    """What a message asks the shop to sell.

    The goods, whom for (给猫买点粮 → 猫), and whether it says 卖 (你们卖口红吗 asks about goods,
    where 有优惠吗 may not).
    """

    goods: str
    buyer: str = ""
    sells: bool = False


def asked_for(message: str) -> GoodsAsked | None:
    """The goods a message asks the shop to sell (有没有红茶 → 红茶), else None.

    Also whom they are for and whether the message says 卖 (see GoodsAsked).
    """
    text = normalize(message)
    for pattern in _ASKS:
        found = pattern.search(text)
        if found:
            goods = _trimmed(found.group("goods"))
            if goods and goods[0] not in ASKING:  # 有什么优惠吗 asks what there is
                asking = found.group(0).replace(found.group("goods"), "", 1)
                return GoodsAsked(goods, found.groupdict().get("buyer") or "", "卖" in asking)
    return None


def named_goods(goods: str) -> bool:
    """Whether what is asked reads as the name of goods (口红), not chat (的是正品, 完了, 得好)."""
    return len(goods) >= MIN_GOODS_CHARS and not set(goods) & NOT_GOODS


def _trimmed(goods: str) -> str:
    changed = True
    while changed and goods:
        changed = False
        for word in _AROUND:
            if goods.startswith(word):
                goods, changed = goods[len(word) :], True
            if goods.endswith(word):
                goods, changed = goods[: -len(word)], True
    return goods


def numerals(text: str) -> str:
    """Chinese numerals as digits, so 三段 and 3段 read alike."""
    return text.translate(_NUMERALS)


def kind_of(name: str, ends: str, text: str) -> tuple[str, str, str]:
    """A product as sold() reads it, normalised once per catalog, not once per question.

    name: its name and category; ends: the characters they end in; text: its whole text.
    """
    return normalize(name), normalize(ends), numerals(normalize(text))


def sold(goods: str, kinds: Sequence[tuple[str, str, str]]) -> list[int] | None:
    """The products (positions in kinds) that are the goods asked for, if they are a kind it has.

    [] when the catalog lists none of them; None when the goods are no kind it has.

    kinds: kind_of() of each product. The longest ending of goods that a name or category holds
    (a single character only where one ends in it: 茶 of 绿茶, not 装 of 毛巾 3条装) is the kind;
    the words before it must then be in one product of that kind.
    """
    for start in range(len(goods)):
        head = goods[start:]
        of_kind = [
            i
            for i, (name, ends, _) in enumerate(kinds)
            if (head in name if len(head) > 1 else head in ends)
        ]
        if of_kind:
            break
    else:
        return None
    rest = _trimmed(numerals(goods[:start]))
    if rest and set(rest) & NOT_A_KIND:
        return None
    return [i for i in of_kind if rest in kinds[i][2]]
