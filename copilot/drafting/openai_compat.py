"""LLM drafter: LangChain's ChatOpenAI against any OpenAI-compatible endpoint.

The customer's words go in as quoted JSON data, personal data masked; the model answers with
JSON validated by pydantic, and citations must name chunks it was actually given. Any failure
raises an LLMError so the service falls back to the offline drafter.
"""

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import BaseModel, Field, ValidationError

from copilot.config import Settings
from copilot.drafting.context import DraftContext, cite
from copilot.errors import LLMError, LLMOutputError, LLMTimeoutError, LLMUnavailableError
from copilot.knowledge.models import Chunk
from copilot.personal_data import mask as mask_pii
from copilot.prompts import DraftPromptContext, PromptLibrary
from copilot.schemas import Draft

log = logging.getLogger(__name__)

PROMPT_SCRIPTS = 4
PROMPT_HISTORY_TURNS = 10
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


class LLMDraftItem(BaseModel):
    """One draft as the model must return it."""

    strategy: str = Field(min_length=1, max_length=20)
    text: str = Field(min_length=1, max_length=800)
    citations: list[str] = Field(default_factory=list)


class LLMDraftSet(BaseModel):
    """The model's whole answer."""

    drafts: list[LLMDraftItem] = Field(min_length=1)


@contextmanager
def _llm_errors(where: str) -> Iterator[None]:
    """Openai and LangChain exceptions as the copilot's own LLMError types."""
    import openai
    from langchain_core.exceptions import OutputParserException

    try:
        yield
    except openai.APITimeoutError as exc:
        raise LLMTimeoutError(f"the LLM at {where} did not answer in time") from exc
    except openai.APIConnectionError as exc:
        raise LLMUnavailableError(f"cannot connect to the LLM at {where}: {exc}") from exc
    except openai.APIStatusError as exc:
        raise LLMUnavailableError(
            f"the LLM at {where} answered HTTP {exc.status_code}: {exc.message}"
        ) from exc
    except OutputParserException as exc:
        raise LLMOutputError(f"the LLM's answer is not the JSON asked for: {exc}") from exc
    except openai.OpenAIError as exc:
        raise LLMError(f"the LLM at {where} failed: {exc}") from exc


def parse_answer(content: str) -> dict:
    """The JSON object in a model's answer (code fences and chatter around it ignored)."""
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise LLMOutputError(f"the LLM's answer has no JSON object: {content[:200]!r}")
    try:
        return json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise LLMOutputError(f"the LLM's answer is not valid JSON ({exc.msg})") from exc


def _knowledge_lines(context: DraftContext) -> str:
    chunks: list[Chunk] = context.fact_chunks()
    chunks += context.scripts[:PROMPT_SCRIPTS] + context.safety_scripts
    if context.knowledge_gap or not context.facts:
        chunks += context.gap_scripts[:1] + context.situation_moves[:1]
    if context.product and any(c.type == "playbook" and c.sku for c in chunks):
        chunks.append(context.product)  # a move names the product: the name is cited from here
    seen: dict[str, Chunk] = {chunk.id: chunk for chunk in chunks}
    lines = [
        f"[{chunk.id}]（{chunk.type}）{chunk.text.replace(chr(10), ' ')}" for chunk in seen.values()
    ]
    return "\n".join(lines) or "（无相关知识）"


def chat_model(settings: Settings, temperature: float):
    """LangChain's ChatOpenAI for the configured endpoint: no retries, the copilot's timeout."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",  # local servers want some key
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=temperature,
    )


class OpenAICompatDrafter:
    """Drafts with a chat model; generate() for one answer, stream() for tokens as they come."""

    name = "llm"

    def __init__(self, settings: Settings, prompts: PromptLibrary):
        self.settings = settings
        self.prompts = prompts
        self.where = settings.llm_base_url or "https://api.openai.com/v1"
        self.chat = chat_model(settings, temperature=0.3)

    def messages(self, context: DraftContext, n: int) -> list[tuple[str, str]]:
        """System and user messages for a request (customer text quoted, personal data masked)."""
        analysis = context.understanding.analysis
        request = context.request
        history = [
            {"role": turn.role, "text": mask_pii(turn.text)}
            for turn in request.history[-PROMPT_HISTORY_TURNS:]
        ]
        order = request.order.model_dump(mode="json", exclude_none=True) if request.order else {}
        prompt = DraftPromptContext(
            shop=self.settings.shop,
            n=n,
            intent=analysis.intent,
            stage=analysis.stage,
            emotion=analysis.emotion,
            urgency=analysis.urgency,
            escalation=f"需要转人工：{analysis.escalate.reason}"
            if analysis.escalate.needed
            else "",
            order=json.dumps(order, ensure_ascii=False) if order else "无",
            knowledge=_knowledge_lines(context),
            history=json.dumps(history, ensure_ascii=False),
            message=json.dumps(mask_pii(request.message), ensure_ascii=False),
        )
        return [
            ("system", self.prompts.render("draft_system", prompt)),
            ("human", self.prompts.render("draft_user", prompt)),
        ]

    def generate(self, context: DraftContext, n: int) -> list[Draft]:
        """Up to n validated, grounded drafts (LLMError when the model cannot give them)."""
        with _llm_errors(self.where):
            answer = self.chat.invoke(self.messages(context, n))
        content = answer.content if isinstance(answer.content, str) else str(answer.content)
        return self.finish(parse_answer(content), context, n)

    def stream(self, context: DraftContext, n: int) -> Iterator[list[dict]]:
        """The drafts parsed so far, growing as the model writes."""
        from langchain_core.output_parsers import JsonOutputParser

        chain = self.chat | JsonOutputParser()
        with _llm_errors(self.where):
            for partial in chain.stream(self.messages(context, n)):
                drafts = partial.get("drafts") if isinstance(partial, dict) else None
                if isinstance(drafts, list):
                    yield drafts

    def finish(self, answer: dict | list, context: DraftContext, n: int) -> list[Draft]:
        """Validate the model's answer and keep drafts whose citations are real chunks."""
        if isinstance(answer, list):
            answer = {"drafts": answer}
        try:
            parsed = LLMDraftSet.model_validate(answer)
        except ValidationError as exc:
            raise LLMOutputError(f"the LLM's JSON does not match the draft schema: {exc}") from exc
        given = context.given_chunks()
        needs_citation = bool(context.facts) or bool(context.scripts)
        drafts = []
        for item in parsed.drafts[:n]:
            unknown = [i for i in item.citations if i not in given]
            if unknown:
                log.warning("LLM cited chunks it was not given: %s", unknown)
            cited = [given[i] for i in dict.fromkeys(item.citations) if i in given]
            if needs_citation and not cited:
                continue
            text = item.text.strip()
            drafts.append(
                Draft(text=text, strategy=item.strategy, citations=[cite(c) for c in cited])
            )
        if not drafts:
            raise LLMOutputError("the LLM returned no draft citing the knowledge it was given")
        return drafts
