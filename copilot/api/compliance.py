"""Compliance check for any text, and reloading the lexicon without a restart."""

from typing import Annotated

from fastapi import APIRouter

from copilot.api.deps import AccessDep, MetricsDep
from copilot.api.schemas import ErrorResponse, ShopQuery
from copilot.schemas import CheckRequest, CheckResponse, LexiconSummary

router = APIRouter(prefix="/v1/compliance", tags=["compliance"])


@router.post("/check", response_model=CheckResponse, responses={404: {"model": ErrorResponse}})
def check_text(request: CheckRequest, access: AccessDep, metrics: MetricsDep) -> CheckResponse:
    """Find banned terms in a text, with spans, explanations and compliant replacements.

    Matching sees through spacing, emoji, full-width letters, Traditional characters and common
    homophones (加 V 信, 薇❤信). `passed` is false when a block-severity term is present;
    `cleaned` is the text with those replaced or their clause dropped.
    Example: `{"text": "亲，这款是全网最好的，加我薇❤信 返现5元"}`.
    """
    result = access.copilot(request.shop).check(request.text, request.shop)
    metrics.observe_check(result)
    return CheckResponse(passed=result.passed, hits=result.hits, cleaned=result.cleaned)


@router.post("/reload", response_model=LexiconSummary, responses={422: {"model": ErrorResponse}})
def reload_lexicon(
    access: AccessDep, shop: Annotated[str | None, ShopQuery] = None
) -> LexiconSummary:
    """Re-read the lexicon and the shop's banned words now.

    Changed files are also picked up within 2 seconds on their own. A broken file gets 422
    naming it, and the lexicon in force stays.
    """
    lexicon = access.copilot(shop).reload_lexicon()
    return LexiconSummary(
        terms=len(lexicon.terms),
        patterns=len(lexicon.patterns),
        categories=lexicon.by_category(),
        files=[str(path) for path in lexicon.files],
    )
