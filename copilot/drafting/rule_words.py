"""The platform terms a customer's everyday words stand for (data/rule_words.yaml).

USE and BM25 both miss 不喜欢能退吗 against a rule titled 七天无理由退货: the rule's words are
not the customer's. Adding the terms of each concept the message speaks of lets the lexical
side of the search and its coverage score find the rule.
"""

from copilot.datafiles import package_yaml
from copilot.drafting.triggers import mentions_any
from copilot.index.text import normalize


class RuleWords:
    """Everyday words → the terms shop rules use for the same thing."""

    def __init__(self, concepts: list[dict] | None = None):
        if concepts is None:
            concepts = package_yaml("copilot.drafting", "rule_words.yaml")["concepts"]
        self.concepts = [
            (
                tuple(normalize(str(term)) for term in concept["terms"]),
                tuple(normalize(str(word)) for word in concept["says"]),
            )
            for concept in concepts
        ]

    def terms_for(self, text: str) -> list[str]:
        """The terms of every concept text speaks of in everyday words, named there or not.

        能开发票吗 单位报销要用 names 发票 and says 报销: the term again weighs the question
        towards the invoice rule.
        """
        said = normalize(text)
        return [term for terms, says in self.concepts if mentions_any(said, says) for term in terms]

    def expand(self, text: str) -> str:
        """Text with the terms it stands for added (unchanged when it stands for none)."""
        terms = self.terms_for(text)
        return f"{text} {' '.join(terms)}" if terms else text
