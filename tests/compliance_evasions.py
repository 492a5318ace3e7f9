"""Evasions generated from the classes of trick sellers use, not from the lexicon file.

Each class turns hand-written violations (below) into disguised spellings: pinyin with tone
marks or tone digits, styled, squared and look-alike letters, numerals written either way,
homophones beyond the lexicon's table, slang names of chat and payment apps, symbols for 加,
IDs glued to a channel name, allow-listed phrases as cover, and bare mobile numbers. Wrapped in
run-on agent text so nothing but the trick is new.
"""

import random

from pypinyin import Style, lazy_pinyin

# (category, text before the disguised part, the part to disguise, text after)
CONTACT_PARTS = [
    ("加我", "vx", "详聊"),
    ("有事直接", "wx", "找我"),
    ("加", "qq", "发你图"),
    ("我的", "vx", "号是hm2026"),
    ("加个", "wechat", "吧"),
    ("加我", "weixin", "便宜点"),
    ("联系我", "qq", "号"),
]
CHANNELS_SPOKEN = ["微信", "扣扣", "薇信"]
INSULT_LATIN = ["sb", "tmd", "nmsl"]
INSULTS_SPOKEN = ["傻逼", "神经病", "脑残", "白痴"]
MEDICAL_SPOKEN = [
    ("这个能", "治疗", "失眠"),
    ("喝了", "降血压", "很快"),
    ("这款", "减肥", "效果好"),
]
CLAIMS_WITH_NUMBERS = ["假一赔十", "假一赔十的", "假一罚十"]
# homophones a table of swaps does not hold: other characters with the same sound
HOMOPHONES = {
    "off_platform_contact": ["加我维信abc123", "加我唯信hm888", "加我卫信shop66", "加我喂信123456"],
    "insults": ["你个沙币", "你个傻鄙", "真是个煞逼"],
    "medical_claims": ["这个能治聊失眠", "喝了能降血鸭", "这款能消严止痛"],
    "review_manipulation": [
        "好平返现5元",
        "好评反现3元",
        "号评返现",
        "五星好平返红包",
        "晒图反现",
        "好评返钱5块",
        "追评反红包",
    ],
}
SLANG = [
    "加个绿泡泡细聊",
    "加我企鹅123456",
    "球球号778899找我",
    "走zfb转账更便宜",
    "转我吱付宝就行",
    "飞机号hm2026联系我",
    "加我小绿泡发图",
    "直接支b转我",
]
COVERS = [
    "支持微信支付abc12345私聊",
    "微信支付后加我wx8888",
    "朋友圈分享给我vx2026hm",
    "微信号码shop888",
    "我们第一时间加您vx123456",
    "用微信付款码发你13812345678",
]
MOBILE_FORMS = [
    "13812345678",
    "138 1234 5678",
    "138-1234-5678",
    "+86 13812345678",
    "+86-138-1234-5678",
    "一三八一二三四五六七八",
    "1三8一2三4五6七8",
    "１３８１２３４５６７８",
    "幺三八幺二三四五六七八",
    "13９12３45６78",
]
WRAPPERS = [
    "{}",
    "亲{}哦",
    "好的亲{}呢",
    "有问题的话{}哈",
    "亲收到货后{}",
    "这边建议您{}谢谢",
]

MATH_STYLES = [0x1D41A, 0x1D44E, 0x1D482, 0x1D4EA, 0x1D552, 0x1D586, 0x1D5BA, 0x1D5EE, 0x1D68A]
SQUARED = [
    0x1F130,
    0x1F170,
    0x1F150,
    0x24B6,
]  # squared, negative squared, negative circled, circled
LOOKALIKE = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "x": "х",
    "y": "у",
    "v": "ѵ",
    "i": "і",
}
GREEK = {"v": "ν", "o": "ο", "x": "χ", "a": "α", "i": "ι", "k": "κ", "t": "τ", "n": "η"}
PLUS = ["➕", "＋", "+", "✚"]


# code points left unassigned in the italic and script alphabets, drawn from Letterlike Symbols
HOLES = {0x1D455: "ℎ", 0x1D4BA: "ℯ", 0x1D4BC: "ℊ", 0x1D4C4: "ℴ"}


def styled(word: str, base: int) -> str:
    letters = (base + ord(c) - ord("a") if c.isalpha() else c for c in word.lower())
    return "".join(HOLES.get(c, chr(c)) if isinstance(c, int) else c for c in letters)


def squared(word: str, base: int) -> str:
    return "".join(chr(base + ord(c) - ord("a")) if c.isalpha() else c for c in word.lower())


def look_alike(word: str, table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in word.lower())


def tone_marks(word: str, spaced: bool) -> str:
    return (" " if spaced else "").join(lazy_pinyin(word, style=Style.TONE))


def tone_digits(word: str) -> str:
    return "".join(lazy_pinyin(word, style=Style.TONE3))


def spoken(word: str) -> list[tuple[str, str]]:
    """A Chinese word written by sound: (spelling, trick) for each way sellers write it."""
    syllables = lazy_pinyin(word)
    return [
        (tone_marks(word, spaced=False), "pinyin_tone_marks"),
        (tone_marks(word, spaced=True), "pinyin_tone_marks"),
        (tone_digits(word), "pinyin_tone_digits"),
        ("".join(syllables), "pinyin_plain"),
        (word[0] + "".join(syllables[1:]), "pinyin_mixed"),
        ("".join(syllables[:-1]) + word[-1], "pinyin_mixed"),
    ]


def generate(seed: int = 13) -> list[dict]:
    """At least 300 disguised violations: {text, category, trick}."""
    rng = random.Random(seed)
    rows: list[dict] = []

    def add(category: str, text: str, trick: str) -> None:
        rows.append(
            {"text": rng.choice(WRAPPERS).format(text), "category": category, "trick": trick}
        )

    for before, word, after in CONTACT_PARTS:
        for base in MATH_STYLES:
            add("off_platform_contact", before + styled(word, base) + after, "math_letters")
        for base in SQUARED:
            add("off_platform_contact", before + squared(word, base) + after, "squared_letters")
        add("off_platform_contact", before + look_alike(word, LOOKALIKE) + after, "cyrillic")
        add("off_platform_contact", before + look_alike(word, GREEK) + after, "greek")
        for plus in PLUS:
            add("off_platform_contact", plus + word + after, "plus_sign")
        add("off_platform_contact", f"{before}{word}{rng.randint(10000, 99999999)}", "glued_id")
    for channel in CHANNELS_SPOKEN:
        for text, trick in spoken(channel):
            add("off_platform_contact", f"加我{text}", trick)
            add("off_platform_contact", f"有事{text}联系", trick)
    for word in INSULT_LATIN:
        for base in MATH_STYLES[:4]:
            add("insults", f"你个{styled(word, base)}", "math_letters")
        add("insults", f"你个{look_alike(word, LOOKALIKE)}", "cyrillic")
        add("insults", f"你个{squared(word, SQUARED[1])}", "squared_letters")
    for word in INSULTS_SPOKEN:
        for text, trick in spoken(word):
            add("insults", f"你个{text}吧", trick)
    for before, word, after in MEDICAL_SPOKEN:
        for text, trick in spoken(word):
            add("medical_claims", f"{before}{text}{after}", trick)
    for claim in CLAIMS_WITH_NUMBERS:
        add("overpromise", claim.replace("十", "10"), "numerals")
        add("overpromise", claim.replace("一", "1"), "numerals")
        add("overpromise", claim.replace("一", "1").replace("十", "10"), "numerals")
        add("overpromise", claim.replace("一", "壹").replace("十", "拾"), "numerals")
    for category, texts in HOMOPHONES.items():
        for text in texts:
            add(category, text, "homophones")
    for text in SLANG:
        add("off_platform_contact", text, "slang")
    for text in COVERS:
        add("off_platform_contact", text, "allow_cover")
    for form in MOBILE_FORMS:
        for template in ("有事打我{}", "电话{}", "{}有事联系", "手机{}随时找我", "{}"):
            add("off_platform_contact", template.format(form), "mobile_number")
    return rows
