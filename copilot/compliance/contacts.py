"""Phone numbers and account IDs: contact details that take a customer off the platform.

Read on the folded text, so 138-1234-5678, 一三八 1234 五六七八, +86 138… and full-width digits
are one number. A mobile number in an agent's text is off-platform contact by itself; an ID
(letters and digits, or a run of digits) only makes a channel word real when it is near it.
"""

import re

from copilot.compliance.folding import fold

# a mainland mobile number (+86 folds to 加86); a masked one (138****5678) is the copilot's own
# masking of a customer's number, not a number to call
MOBILE = re.compile(r"(?<![0-9])(?:0?86)?1[3-9][0-9]{9}(?![0-9])")
# an account ID: five or more digits, or letters mixed with at least two digits
CONTACT_ID = re.compile(r"[0-9]{5,}|[a-z][a-z0-9]*[0-9]{2,}[a-z0-9]*|[0-9]{2,}[a-z][a-z0-9]*")
# how far (folded characters) from a channel word its verb, ID or number may be
CONTEXT_WINDOW = 8


def mobiles(folded: str) -> list[tuple[int, int]]:
    """Folded [start, end] of every mobile number."""
    return [(m.start(), m.end() - 1) for m in MOBILE.finditer(folded)]


class ContactContext:
    """Whether a channel word has what makes it a channel: a contact verb, an ID or a number."""

    def __init__(self, verbs: tuple[str, ...]):
        self.verbs = tuple(w for w in (fold(v)[0] for v in verbs) if w)

    def near(self, folded: str, start: int, end: int) -> bool:
        """folded[start:end+1] is the channel word."""
        before = folded[max(0, start - CONTEXT_WINDOW) : start]
        after = folded[end + 1 : end + 1 + CONTEXT_WINDOW]
        if any(verb in before or verb in after for verb in self.verbs):
            return True
        return id_near(folded, start, end)


# a number with a unit is a quantity, not an account: 20000mAh, 20000毫安, 10000元
_QUANTITY = re.compile(
    r"[0-9]+(?:mah|wh|kwh|w|v|a|hz|ml|l|g|kg|mg|cm|mm|m|km|gb|tb|mb|k|p|"
    r"毫安|瓦|伏|元|块|克|千克|公斤|斤|毫升|升|米|厘米|毫米|件|个|次|天|小时|分钟|年|月|页)",
)


def _has_id(text: str) -> bool:
    """Whether text holds an account ID that is not a quantity with its unit."""
    for match in CONTACT_ID.finditer(text):
        quantity = _QUANTITY.match(text, match.start())
        if quantity is None or quantity.end() < match.end():
            return True
    return False


def id_near(folded: str, start: int, end: int, floor: int = 0, ceiling: int | None = None) -> bool:
    """An ID or a number right after folded[start:end+1] (or just before it), within bounds."""
    ceiling = len(folded) if ceiling is None else ceiling
    after = folded[end + 1 : min(ceiling, end + 1 + CONTEXT_WINDOW)]
    before = folded[max(floor, start - 3) : start]
    return _has_id(after) or _has_id(before)
