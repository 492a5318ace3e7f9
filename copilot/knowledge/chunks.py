"""Validated knowledge as chunks with stable ids: one per product, FAQ, rule section, script."""

from copilot.knowledge.loader import KnowledgeBase
from copilot.knowledge.models import Chunk, Product


def _price(value: float | None) -> str:
    if value is None:
        return ""
    return f"¥{value:g}"


def _attribute(value) -> str:
    return "、".join(str(v) for v in value) if isinstance(value, list) else str(value)


def product_chunk(rel: str, product: Product) -> Chunk:
    """Overview of a product: name, category, price, attributes, description."""
    lines = [f"商品：{product.name}（{product.sku}）"]
    if product.category:
        lines.append(f"类目：{product.category}")
    if product.price is not None:
        lines.append(f"价格：{_price(product.price)}")
    lines += [f"{key}：{_attribute(value)}" for key, value in product.attributes.items()]
    if product.description:
        lines.append(product.description)
    return Chunk(
        id=f"product:{product.sku}",
        type="product",
        text="\n".join(lines),
        source=rel,
        title=product.name,
        sku=product.sku,
    )


def faq_chunks(rel: str, product: Product) -> list[Chunk]:
    """One chunk per FAQ entry, carrying the product name so it reads on its own."""
    return [
        Chunk(
            id=f"faq:{product.sku}:{number}",
            type="faq",
            text=f"【{product.name}】问：{entry.q}\n答：{entry.a}",
            source=rel,
            title=entry.q,
            sku=product.sku,
        )
        for number, entry in enumerate(product.faq, 1)
    ]


def build_chunks(kb: KnowledgeBase) -> list[Chunk]:
    """All chunks of a knowledge base, in a stable order."""
    chunks: list[Chunk] = []
    for rel, product in kb.products.values():
        chunks.append(product_chunk(rel, product))
        chunks.extend(faq_chunks(rel, product))
    for rel, document in kb.rules.items():
        stem = rel.removeprefix("rules/").removesuffix(".md")
        for section in document.sections:
            chunks.append(
                Chunk(
                    id=f"rule:{stem}:{section.title}",
                    type="rule",
                    text=f"{document.title} - {section.title}\n{section.body}",
                    source=rel,
                    title=f"{document.title} - {section.title}",
                )
            )
    for rel, script in kb.scripts.values():
        chunks.append(
            Chunk(
                id=f"script:{script.id}",
                type="script",
                text=script.text,
                source=rel,
                title=",".join(script.tags),
                intent=script.intent,
                stage=script.stage,
            )
        )
    return chunks
