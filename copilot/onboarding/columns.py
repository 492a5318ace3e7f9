"""Which column means what: header names in Chinese and English, or the user's --columns.

A sheet's kind follows from its columns: quick phrases have a phrase column, a Q&A sheet a
question and an answer, a product list a sku and a name.
"""

from copilot.errors import KnowledgeError
from copilot.onboarding.sheets import Table

# field -> header names it is known by (compared without case, spaces, brackets or '*')
HEADERS: dict[str, tuple[str, ...]] = {
    "group": ("分组", "分类", "类别", "场景", "group", "category", "分组名称"),
    "shortcut": ("快捷编码", "快捷键", "编码", "快捷语编码", "shortcut", "code", "key"),
    "content": (
        "短语",
        "内容",
        "话术",
        "快捷短语",
        "回复内容",
        "短语内容",
        "content",
        "phrase",
        "text",
    ),
    "question": ("问题", "标准问题", "问法", "question", "q"),
    "similar": ("相似问法", "相似问题", "扩展问法", "相似问", "similar", "similar questions"),
    "answer": ("答案", "回答", "回复", "标准答案", "answer", "a"),
    "product": (
        "商品",
        "商品名称",
        "商品id",
        "商品编码",
        "关联商品",
        "product",
        "sku",
        "product id",
    ),
    "sku": ("sku", "商品编码", "商家编码", "货号", "商品id", "编码", "商品编号"),
    "name": ("商品名称", "名称", "宝贝名称", "商品标题", "标题", "name", "title", "product name"),
    "price": ("价格", "售价", "一口价", "单价", "price"),
    "category": ("类目", "分类", "品类", "商品类目", "category"),
    "description": ("描述", "商品描述", "卖点", "简介", "description"),
}
KINDS = {
    "phrases": ("content",),
    "qa": ("question", "answer"),
    "products": ("sku", "name"),
}
FIELDS_OF = {
    "phrases": ("group", "shortcut", "content"),
    "qa": ("question", "similar", "answer", "product"),
    "products": ("sku", "name", "price", "category", "description"),
}


def _key(header: str) -> str:
    return "".join(c for c in header.lower() if c not in " _-*()（）[]【】:：")


def parse_overrides(text: str | None) -> dict[str, str]:
    """--columns content=话术内容,group=分类 as {field: header}."""
    overrides: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        field, sep, header = part.partition("=")
        if not sep or field.strip() not in HEADERS or not header.strip():
            known = ", ".join(HEADERS)
            raise KnowledgeError([f"--columns: '{part.strip()}' is not FIELD=HEADER ({known})"])
        overrides[field.strip()] = header.strip()
    return overrides


def mapping(table: Table, kind: str, overrides: dict[str, str]) -> dict[str, str]:
    """{field: header} for one kind of sheet (a required field missing is an error)."""
    found: dict[str, str] = {}
    by_key = {_key(h): h for h in table.headers if h}
    for field in FIELDS_OF[kind]:
        if field in overrides:
            if overrides[field] not in table.headers:
                raise KnowledgeError(
                    [f"{table.source}: --columns names '{overrides[field]}', which is not a column"]
                )
            found[field] = overrides[field]
            continue
        for name in HEADERS[field]:
            header = by_key.get(_key(name))
            if header and header not in found.values():
                found[field] = header
                break
    missing = [field for field in KINDS[kind] if field not in found]
    if missing:
        names = "; ".join(f"{m}: {' / '.join(HEADERS[m][:4])}" for m in missing)
        raise KnowledgeError(
            [
                f"{table.source}: missing required column(s) for {kind} ({names}); "
                "name the column with --columns FIELD=HEADER"
            ]
        )
    return found


def kind_of(table: Table, overrides: dict[str, str]) -> str:
    """The sheet's kind from its columns: products, then Q&A, then quick phrases."""
    for kind in ("products", "qa", "phrases"):
        try:
            mapping(table, kind, overrides)
        except KnowledgeError:
            continue
        return kind
    raise KnowledgeError(
        [
            f"{table.source}: columns {', '.join(h for h in table.headers if h)} are neither "
            "quick phrases (短语/内容), Q&A (问题 + 答案) nor products (sku/商品编码 + 名称); "
            "name them with --columns FIELD=HEADER"
        ]
    )
