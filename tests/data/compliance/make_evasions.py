"""Regenerate evasions.jsonl: base phrases x the evasion tricks sellers and scammers use.

Run from the repository root: .venv/bin/python tests/data/compliance/make_evasions.py
The phrases and tricks are written here by hand; the lexicon is not read, so the set measures
whether matching sees through the tricks, not whether it agrees with itself.
"""

import json
from pathlib import Path

from opencc import OpenCC

BASE = {
    "absolute_terms": [
        "这款是全网最好的",
        "我们家销量第一",
        "这是最佳选择",
        "全网最低价哦",
        "独一无二的设计",
        "国家级品质",
        "顶级面料",
        "史无前例的优惠",
        "行业领先技术",
        "绝对正品放心买",
    ],
    "false_authority": ["国宴专用茶具", "领导人同款", "央视推荐产品", "部队专供款式"],
    "medical_claims": [
        "这个能治失眠",
        "喝了可以降血压",
        "祛痘效果很好",
        "排毒养颜",
        "增强免疫力",
        "长期用能抗癌",
    ],
    "off_platform_contact": [
        "加我微信聊",
        "微信号发你了",
        "加QQ详谈",
        "支付宝转账给我",
        "私下交易更便宜",
        "留个电话吧",
        "扣扣联系我",
    ],
    "review_manipulation": [
        "好评返现5元",
        "五星好评返红包",
        "晒图返现哦",
        "帮忙删差评",
        "刷单的活",
    ],
    "overpromise": ["假一赔十", "终身保修的", "100%有效", "无效退款", "保证不过敏"],
    "insults": ["你有病吧", "爱买不买", "穷鬼别问了", "神经病啊", "滚，别烦"],
}
S2T = OpenCC("s2t")


def spaced(text, sep):
    return sep.join(text)


def full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


TRICKS = {
    "spaces": lambda t: spaced(t, " "),
    "dots": lambda t: spaced(t, "·"),
    "emoji": lambda t: spaced(t, "❤"),
    "zero_width": lambda t: spaced(t, "\u200b"),
    "traditional": lambda t: S2T.convert(t),
    "full_width_traditional": lambda t: full_width(S2T.convert(t)).upper(),
}
SPECIALS = [
    ("off_platform_contact", "加我薇信，便宜点"),
    ("off_platform_contact", "威信：abc123"),
    ("off_platform_contact", "加个V❤X吧"),
    ("off_platform_contact", "vx：hm2024"),
    ("off_platform_contact", "ＶＸ同号"),
    ("off_platform_contact", "加 v 信 聊"),
    ("off_platform_contact", "我的wei xin是这个"),
    ("off_platform_contact", "WeiXin 联系"),
    ("off_platform_contact", "加徽芯详聊"),
    ("off_platform_contact", "扣 扣 号发你"),
    ("off_platform_contact", "加寇寇"),
    ("off_platform_contact", "Ｑ Ｑ：12345678"),
    ("off_platform_contact", "私❤下交易吧"),
    ("off_platform_contact", "支.付.宝.转.账"),
    ("off_platform_contact", "加我維信"),
    ("absolute_terms", "销量NO.1"),
    ("absolute_terms", "全网TOP1"),
    ("absolute_terms", "最~好~的~"),
    ("absolute_terms", "第 一 品 牌"),
    ("review_manipulation", "好评👍返现"),
    ("review_manipulation", "給個五星好評返現"),
    ("medical_claims", "能治療失眠"),
    ("medical_claims", "降 血 压 效果好"),
    ("overpromise", "假1赔十"),
    ("insults", "神 经 病"),
]

rows = [
    {"text": trick(phrase), "category": category, "trick": name}
    for category, phrases in BASE.items()
    for phrase in phrases
    for name, trick in TRICKS.items()
]
rows += [{"text": text, "category": category, "trick": "special"} for category, text in SPECIALS]
out = Path(__file__).with_name("evasions.jsonl")
with out.open("w", encoding="utf-8") as f:
    for row in rows:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
print(len(rows), "evasions written to", out)
