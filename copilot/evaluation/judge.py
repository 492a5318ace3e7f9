"""Optional LLM-as-judge: correctness, empathy and politeness from 1 to 5 (prompts in prompts/)."""

import json

from pydantic import BaseModel, Field, ValidationError

from copilot.config import Settings
from copilot.drafting.openai_compat import chat_model, parse_answer
from copilot.errors import LLMError
from copilot.evaluation.cases import GoldenCase
from copilot.evaluation.metrics import NAN, MetricResult, Outcome
from copilot.prompts import PromptLibrary

RUBRIC = ("correctness", "empathy", "politeness")


class JudgePromptContext(BaseModel):
    """What the judge prompts may mention (all customer-written text quoted as JSON)."""

    message: str
    reference: str
    draft: str


class Verdict(BaseModel):
    """The judge's answer."""

    correctness: int = Field(ge=1, le=5)
    empathy: int = Field(ge=1, le=5)
    politeness: int = Field(ge=1, le=5)
    reason: str = ""


class LLMJudge:
    """Asks a chat model once per case; the three rubric metrics share the verdict."""

    def __init__(self, settings: Settings, prompts: PromptLibrary):
        self.prompts = prompts
        self.chat = chat_model(settings, temperature=0)
        self._verdicts: dict[str, Verdict | str] = {}

    def verdict(self, case: GoldenCase, outcome: Outcome) -> Verdict | str:
        """The verdict for a case, or why there is none."""
        if case.id not in self._verdicts:
            self._verdicts[case.id] = self._ask(case, outcome)
        return self._verdicts[case.id]

    def _ask(self, case: GoldenCase, outcome: Outcome) -> Verdict | str:
        if not outcome.texts:
            return "no draft to judge"
        context = JudgePromptContext(
            message=json.dumps(case.message, ensure_ascii=False),
            reference=json.dumps(case.reference, ensure_ascii=False),
            draft=json.dumps(outcome.texts[0], ensure_ascii=False),
        )
        messages = [
            ("system", self.prompts.render("judge_system", context)),
            ("human", self.prompts.render("judge_user", context)),
        ]
        try:
            answer = self.chat.invoke(messages)
            return Verdict.model_validate(parse_answer(str(answer.content)))
        except (LLMError, ValidationError) as exc:
            return f"judge answer unusable: {exc}"
        except Exception as exc:  # noqa: BLE001 - a judge failure costs one score, not the run
            return f"judge failed: {exc}"

    def metrics(self) -> list["JudgeMetric"]:
        """One metric per rubric item."""
        return [JudgeMetric(self, item) for item in RUBRIC]


class JudgeMetric:
    """One rubric item on the 1-5 scale (NaN when the judge gave no verdict)."""

    def __init__(self, judge: LLMJudge, item: str):
        self.judge = judge
        self.item = item
        self.name = f"judge_{item}"

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """The judge's score for this item."""
        verdict = self.judge.verdict(case, outcome)
        if isinstance(verdict, str):
            return MetricResult(NAN, verdict)
        value = float(getattr(verdict, self.item))
        return MetricResult(value, verdict.reason if value <= 2 else "")
