"""Which product a conversation is about when the request names none.

A word of a product's name identifies it as well as it is rare among the shop's product names:
水壶 in one name points at that kettle, 耳机 in two names says "one of the earphones". The word
a name ends in (耳机, 手机壳) says what the product is and counts more than a word inside it
(手机 in 手机壳); so does the one character it ends in where a customer uses it alone (床 for
实木婴儿床, 橙子 for 赣南脐橙, 这个壶). Customers' everyday words for a kind of product (充电头
for 充电器, 保护壳 for 手机壳; data/product_words.yaml) and the words of its category (芒果 for
海南贵妃芒 in category 芒果) count as the name's. Attribute words (容量, 颜色) never identify a
product by its name; when no name fits, an attribute only one or a few products have does (奶源
→ the one milk powder with a 奶源 line; 粉尘 → the two cat litters).
"""

import re
from collections import Counter

from copilot.datafiles import package_yaml
from copilot.drafting.facts import (
    QUESTION_CHARS,
    UNTELLING_ATTRIBUTES,
    attribute_aliases,
    parse_product,
)
from copilot.drafting.goods import NUMERALS, kind_of, named_goods, numerals, sold
from copilot.drafting.triggers import CLAUSE_BREAKS
from copilot.index.retriever import HybridRetriever
from copilot.index.text import normalize
from copilot.knowledge.models import Chunk

# a word in more product names than this says nothing about which product is meant
MAX_NAMES_PER_WORD = 3
MIN_WORD_CHARS = 2
# a word of this many characters that only one product's text has names that product
OWNING_WORD_CHARS = 3
# a word a product's name ends in (what the product is) counts this many times a word inside it
HEAD_WEIGHT = 3.0
# before the one character a name ends in, these show it stands alone (这个壶, 你们的床, 哪根线)
HEAD_BEFORE = frozenset("这那个款的买只台把张条件双瓶盒袋箱套根块支副顶本片包罐桶辆")
# after it, these (or a clause's end) do: 床要自己装吗, 壶能煮粥吗, 橙子甜吗; not 油皮, 车厘子
HEAD_AFTER = frozenset("子能要会用可是有也都还就怎多好不在吗呢啊")
_CLAUSE_END = re.compile(f"[{CLAUSE_BREAKS}]")
# the knowledge besides the catalog (and its products' FAQ) that may name goods it does not list
OTHER_KNOWLEDGE = ("rule", "script")
# more products than this sharing the best match is no longer "one of these"
MAX_CANDIDATES = 4
# characters of words that only ask how something is (多久, 多大, 好不好), whatever it is
ASKING_CHARS = QUESTION_CHARS | frozenset("久长大小高低重轻好坏不哪里呀嘛")
# 大不大, 会不会: asking, and cut oddly by jieba (不大)
_A_NOT_A = re.compile(r"(.)不\1")
_CJK = re.compile(r"[\u4e00-\u9fff]{2}")
# a number and the word it counts tell models of one series apart (1段/一段, 2段/二段)
_NUMBERED = re.compile(r"([0-9]+|[一二两三四五六七八九十])([\u4e00-\u9fff])")
_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")
_ASIDE = re.compile(r"[（(][^）)]*[）)]")
# a model number or count a name ends in (奶粉1段, 手机壳2代): not what the product is
_NUMBERED_TAIL = re.compile(
    r"(?:[0-9]+[\u4e00-\u9fff]?|[一二两三四五六七八九十][\u4e00-\u9fff])[^\u4e00-\u9fff]*$"
)
# what follows the product word in a name: sizes, counts and specs ("1.7L", "（2片装）", "SPF50+")
_NAME_TAIL = re.compile(r"(?:[\s（(][^\u4e00-\u9fff]*|[（(][^）)]*[）)])+$")


def synonym_groups() -> list[frozenset[str]]:
    """Groups of everyday words for one kind of product (data/product_words.yaml)."""
    groups = package_yaml("copilot.drafting", "product_words.yaml")["groups"]
    return [
        frozenset(w for w in (normalize(str(word)) for word in group) if len(w) >= MIN_WORD_CHARS)
        for group in groups
    ]


def head_char(title: str) -> str:
    """The character a product's name ends in, specs aside (实木婴儿床 带滚轮 → 床)."""
    segments = [seg for seg in normalize(title).split() if _HAN_CHAR.search(seg)]
    if not segments:
        return ""
    core = _NUMBERED_TAIL.sub("", _ASIDE.sub("", segments[0]))
    chars = _HAN_CHAR.findall(core)
    return chars[-1] if chars and chars[-1] not in NUMERALS else ""  # 二合一 ends in no thing


def category_of(product: Chunk | None) -> str:
    """The 类目 line of a product chunk."""
    return product.text.partition("类目：")[2].split("\n", 1)[0] if product else ""


class ProductFinder:
    """Matches messages against product names."""

    def __init__(self, retriever: HybridRetriever, phrasing: dict):
        self.retriever = retriever
        # words that ask for an attribute say nothing of which product is meant
        self._ignored = {
            word for key, asks in attribute_aliases(phrasing).items() for word in (key, *asks)
        }
        self._synonyms = synonym_groups()
        self._names: dict[str, frozenset[str]] = {}
        self._heads: dict[str, frozenset[str]] = {}
        self._weights: dict[str, float] = {}
        self._owners: dict[str, list[str]] = {}
        self._by_head_char: dict[str, list[str]] = {}
        self._built_for: object = None
        self._kinds: list[tuple[str, str, str]] = []
        self._kind_skus: list[str] = []
        self._texts: dict[str, str] = {}  # each product's normalised text, by sku
        self._other_text = ""
        self._other_built_for: object = None

    def _index(self) -> tuple[dict[str, frozenset[str]], dict[str, float]]:
        products = self.retriever.chunks_of("product")
        key = tuple(p.id for p in products)
        if key != self._built_for:
            # a product's category names it too (芒果 for 海南贵妃芒 in category 芒果)
            self._names = {
                p.sku: self._words(p.title) | self._words(category_of(p)) for p in products
            }
            self._heads = {p.sku: self._head_words(p.title, self._names[p.sku]) for p in products}
            counts = Counter(word for name in self._names.values() for word in name)
            self._weights = {
                word: 1.0 / count for word, count in counts.items() if count <= MAX_NAMES_PER_WORD
            }
            self._by_head_char = {}
            for product in products:
                char = head_char(product.title)
                if char:
                    self._by_head_char.setdefault(char, []).append(product.sku)
            self._owners = {}
            for product in products:
                for attribute in parse_product(product)[1]:
                    if len(attribute) >= MIN_WORD_CHARS and attribute not in UNTELLING_ATTRIBUTES:
                        self._owners.setdefault(normalize(attribute), []).append(product.sku)
            self._kinds = [
                kind_of(
                    f"{p.title} {category_of(p)}",
                    f"{head_char(p.title)}{category_of(p)[-1:]}",
                    p.text,
                )
                for p in products
            ]
            self._kind_skus = [p.sku for p in products]
            self._texts = {p.sku: normalize(p.text) for p in products}
            self._built_for = key
        return self._names, self._weights

    @staticmethod
    def _head_words(title: str, words: frozenset[str]) -> frozenset[str]:
        """The name's words it ends in, once sizes and specs are cut off (耳机, 手机壳, 机壳)."""
        core = _NAME_TAIL.sub("", normalize(title)).rstrip()
        return frozenset(w for w in words if core.endswith(w))

    def _head_chars_said(self, text: str, loosely: bool = False) -> set[str]:
        """The one-character names of products that text uses on their own (床, 橙子, 这个壶).

        Customers name a product by the character its name ends in (实木婴儿床 → 床, 赣南脐橙 →
        橙子); the character counts only where it stands alone, not inside another word.
        loosely: also where it forms no dictionary word with its neighbours (新锅买回来, 锅带盖子吗;
        not 砂锅, 锅盖), for a message that names no product otherwise (湿巾能擦嘴不 is not about
        the 奶嘴).
        """
        folded = normalize(text)
        said = set()
        for char in self._by_head_char:
            for found in re.finditer(re.escape(char), folded):
                i = found.start()
                before = folded[i - 1] if i else " "
                after = folded[i + 1] if i + 1 < len(folded) else " "
                alone_before = (
                    before in HEAD_BEFORE
                    or bool(_CLAUSE_END.match(before))
                    or (loosely and not self._is_word(before + char))
                )
                alone_after = (
                    after in HEAD_AFTER
                    or bool(_CLAUSE_END.match(after))
                    or (loosely and not self._is_word(char + after))
                )
                if alone_before and alone_after:
                    said.add(char)
        return said

    def _is_word(self, pair: str) -> bool:
        """Whether two characters are one word (砂锅, 锅盖), so neither stands alone."""
        return len(_HAN_CHAR.findall(pair)) == 2 and self.retriever.is_word(pair)

    def _message_words(self, text: str) -> frozenset[str]:
        """A message's words, plus the other everyday words for each kind of product it names."""
        words = set(self._words(text))
        folded = normalize(text)
        for group in self._synonyms:
            if any(word in folded for word in group):
                words |= group
        return frozenset(words)

    def _words(self, text: str) -> frozenset[str]:
        """Jieba words plus Chinese character bigrams (阔腿裤 and 阔腿西装裤 share 阔腿)."""
        folded = normalize(text)
        bigrams = {
            folded[i : i + 2] for i in range(len(folded) - 1) if _CJK.fullmatch(folded[i : i + 2])
        }
        numbered = {numerals(n) + w for n, w in _NUMBERED.findall(folded)}
        words = {w for w in self.retriever.tokens(text) if len(w) >= MIN_WORD_CHARS}
        words |= bigrams | numbered
        return frozenset(words - self._ignored)

    def _scores(self, text: str) -> list[tuple[float, str]]:
        names, weights = self._index()
        words = self._message_words(text)
        scores = {
            sku: sum(
                weights.get(word, 0.0) * (HEAD_WEIGHT if word in self._heads[sku] else 1.0)
                for word in words & name
            )
            for sku, name in names.items()
        }
        for char in self._head_chars_said(text, loosely=not any(scores.values())):
            owners = self._by_head_char[char]
            if len(owners) <= MAX_NAMES_PER_WORD:
                for sku in owners:
                    scores[sku] += HEAD_WEIGHT / len(owners)
        return sorted(((score, sku) for sku, score in scores.items() if score > 0), reverse=True)

    def candidates(self, text: str) -> list[str]:
        """The products text fits equally well when it fits several (两款耳机), best first.

        With no name word in text, the products that have the attribute it asks about
        (粉尘大不大 → both cat litters). Empty when it names one product, none, or too many to list.
        """
        scored = self._scores(text)
        if not scored:
            owners = self.owning_asked_attribute(text)
            return owners if 1 < len(owners) <= MAX_CANDIDATES else []
        if len(scored) < 2 or scored[0][0] < 1.0 or scored[1][0] != scored[0][0]:
            return []
        tied = sorted(sku for score, sku in scored if score == scored[0][0])
        return tied if len(tied) <= MAX_CANDIDATES else []

    def named_in(self, text: str) -> str | None:
        """The sku of the one product text names; None when none, or several equally, match."""
        scored = self._scores(text)
        if not scored or scored[0][0] < 1.0:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None
        return scored[0][1]

    def named_products(self, text: str) -> list[str]:
        """Every product whose name text uses a telling word of, best first."""
        return [sku for _, sku in self._scores(text)]

    def mentions(self, sku: str, text: str) -> bool:
        """Whether text uses a telling word of the product's name (耳机 for the earphones)."""
        return any(score > 0 and found == sku for score, found in self._scores(text))

    def category_named_in(self, text: str) -> str | None:
        """The category of the products text names, if they share one (充电宝 → 数码配件)."""
        scored = self._scores(text)
        if not scored:
            return None
        best = scored[0][0]
        categories = {category_of(self.chunk(sku)) for score, sku in scored if score == best}
        return categories.pop() if len(categories) == 1 else None

    def selling(self, goods: str, surely_goods: bool = False) -> list[str] | None:
        """The skus of the products that are the goods a customer asks for (see goods.sold).

        [] when the catalog lists none; None when the goods are no kind of the shop's goods
        (unless surely_goods: asked for with 卖, and named like goods), or the shop's other
        knowledge names them (试喝装 in a Q&A sheet of a shop whose catalog has no such
        product): the search finds what it says.
        """
        goods = normalize(goods)
        self._index()
        found = sold(goods, self._kinds)
        if found is None and surely_goods and named_goods(goods):
            found = []
        if found is None or (not found and goods in self.other_knowledge()):
            return None
        return [self._kind_skus[i] for i in found]

    def texts(self) -> dict[str, str]:
        """Each product's normalised text, by sku (rebuilt when the catalog changes)."""
        self._index()
        return self._texts

    def other_knowledge(self) -> str:
        """The normalised text of the rules and scripts (rebuilt when they change)."""
        chunks = [c for kind in OTHER_KNOWLEDGE for c in self.retriever.chunks_of(kind)]
        key = tuple(c.id for c in chunks)
        if key != self._other_built_for:
            self._other_text = "\n".join(normalize(c.text) for c in chunks)
            self._other_built_for = key
        return self._other_text

    def in_focus(self, message: str, earlier_customer_turns: list[str]) -> str | None:
        """The product of the latest message, else of the most recent turn that names one.

        Else the only product with the attribute the message asks about (奶源是哪里的), else
        the only one whose text has a word of the message no other knowledge has (喇叭罩 of the
        breast pump's 配件).
        """
        for text in [message, *reversed(earlier_customer_turns)]:
            sku = self.named_in(text)
            if sku:
                return sku
        if self._scores(message):
            return None  # it names products, just not one of them
        owners = self.owning_asked_attribute(message) or self._owning_word(message)
        return owners[0] if len(owners) == 1 else None

    def _owning_word(self, message: str) -> list[str]:
        """The products whose own text has a word of the message that no rule or script has.

        A part or feature only one product has (喇叭罩 in the breast pump's 配件, 洗碗机 in the
        knives' 保养) names it: any run of three Chinese characters of the message will do, as
        jieba may cut the part's name (喇叭 / 罩). A run the rules or scripts use too names no
        product, nor does a shorter one (老公 in a jacket's description of 给我老公买).
        """
        folded = normalize(message)
        runs = {
            folded[i : i + OWNING_WORD_CHARS]
            for i in range(len(folded) - OWNING_WORD_CHARS + 1)
            if len(_HAN_CHAR.findall(folded[i : i + OWNING_WORD_CHARS])) == OWNING_WORD_CHARS
        }
        other = self.other_knowledge()
        owners: set[str] = set()
        for run in runs - {run for run in runs if run in other}:
            holders = [sku for sku, text in self.texts().items() if run in text]
            if len(holders) == 1:
                owners.add(holders[0])
        return sorted(owners)

    def owning_asked_attribute(self, text: str) -> list[str]:
        """The products with the rarest attribute text asks about (奶源, 粉尘), in catalog order.

        Only when the rest of text is about them too: 下雨天会不会延迟 uses the earphones'
        延迟 for something else. Asking words (多久, 大不大) need not be theirs.
        """
        self._index()
        folded = normalize(text)
        named = [(a, owners) for a, owners in self._owners.items() if a in folded]
        if not named:
            return []
        attribute, owners = min(named, key=lambda item: len(item[1]))
        rest = _A_NOT_A.sub("", folded.replace(attribute, " "))
        texts = [normalize(self.chunk(sku).text) for sku in owners]
        for word in self.retriever.tokens(rest):
            if len(word) >= MIN_WORD_CHARS and set(word) - ASKING_CHARS:
                if not any(word in product for product in texts):
                    return []
        return owners

    def chunk(self, sku: str) -> Chunk | None:
        """The product's overview chunk."""
        return self.retriever.chunk(f"product:{sku}")
