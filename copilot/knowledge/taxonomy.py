"""The fixed intent and stage taxonomy shared by knowledge, understanding and eval."""

from typing import Literal, get_args

Intent = Literal[
    "greeting",
    "product_info",
    "size_advice",
    "promotion",
    "payment",
    "order_change",
    "shipping",
    "return_exchange",
    "refund",
    "quality_issue",
    "complaint",
    "invoice",
    "other",
]
Stage = Literal["presale", "insale", "aftersale"]
ChunkType = Literal["product", "faq", "rule", "script"]

INTENTS: tuple[str, ...] = get_args(Intent)
STAGES: tuple[str, ...] = get_args(Stage)
CHUNK_TYPES: tuple[str, ...] = get_args(ChunkType)

# The stages in which each intent occurs; a shop's scripts should cover every pair.
INTENT_STAGES: dict[str, tuple[str, ...]] = {
    "greeting": ("presale", "insale", "aftersale"),
    "product_info": ("presale", "aftersale"),
    "size_advice": ("presale", "aftersale"),
    "promotion": ("presale", "insale", "aftersale"),
    "payment": ("presale", "insale"),
    "order_change": ("insale",),
    "shipping": ("presale", "insale", "aftersale"),
    "return_exchange": ("insale", "aftersale"),
    "refund": ("insale", "aftersale"),
    "quality_issue": ("aftersale",),
    "complaint": ("presale", "insale", "aftersale"),
    "invoice": ("presale", "insale", "aftersale"),
    "other": ("presale", "insale", "aftersale"),
}

# What agents and shop owners read instead of the codes (the web console has the same table).
INTENT_LABELS: dict[str, str] = {
    "greeting": "问候",
    "product_info": "商品咨询",
    "size_advice": "尺码建议",
    "promotion": "优惠活动",
    "payment": "付款",
    "order_change": "修改订单",
    "shipping": "发货物流",
    "return_exchange": "退换货",
    "refund": "退款",
    "quality_issue": "质量问题",
    "complaint": "投诉",
    "invoice": "发票",
    "other": "其他",
}
STAGE_LABELS: dict[str, str] = {"presale": "售前", "insale": "售中", "aftersale": "售后"}
