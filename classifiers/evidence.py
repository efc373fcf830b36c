"""Rule evidence per label for one prepared text, plus the lexicon polarity it was weighed with."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from classifiers.label_patterns import (
    COMPLAINT_SOURCES,
    NEGATED_BEFORE,
    PRAISE_SOURCES,
    QUESTION_OPENER,
    QUESTION_SOURCES,
    QUESTION_WORDS,
    WHY_OPENER,
    WHY_WORDS,
)
from classifiers.outage_patterns import OUTAGE_SOURCES
from classifiers.recovery_patterns import RECOVERY_SOURCES, RECOVERY_UNREAL
from classifiers.ruleset import RuleSet
from classifiers.sentiment import polarity
from classifiers.textnorm import Prepared, prepare

STRONG_OUTAGE = 2.5
"""Outage evidence at or above this is an unmistakable outage report."""
SENTIMENT_TO_LABEL = 0.7
RULES = RuleSet({"outage": OUTAGE_SOURCES, "complaint": COMPLAINT_SOURCES, "praise": PRAISE_SOURCES,
                 "question": QUESTION_SOURCES, "recovery": RECOVERY_SOURCES})
_NEGATABLE = frozenset({"complaint", "praise", "recovery"})


@dataclass(slots=True)
class Evidence:
    """How strongly the rules point at each label, and the text's lexicon polarity."""

    outage: float = 0.0
    complaint: float = 0.0
    praise: float = 0.0
    question: float = 0.0
    positive: float = 0.0
    negative: float = 0.0
    recovery: float = 0.0  # says the service works again ("back up now"); negated phrases do not count

    def as_dict(self) -> dict[str, float]:
        """Evidence keyed by label ("other" is always 0: it is the prior's job), and the recovery evidence."""
        return {"complaint": self.complaint, "praise": self.praise, "outage": self.outage,
                "question": self.question, "other": 0.0, "recovery": self.recovery}

    @property
    def recovered(self) -> bool:
        """The text reports a recovery more strongly than a breakage: not an outage report (as `recovered`)."""
        return self.recovery > self.outage


def recovered(evidence: dict[str, float]) -> bool:
    """Recovery evidence outweighs outage evidence ("back up now", but not "back up, payments still failing")."""
    return evidence.get("recovery", 0.0) > evidence["outage"]


def _question(text: str, prepared: Prepared, phrases: float) -> float:
    """Question evidence: a question mark, an unmistakable question phrase, or an interrogative opener."""
    asks = "?" in text
    score = (1.2 if asks else 0.0) + phrases
    if phrases:
        return score
    tokens = prepared.tokens
    opens = bool(tokens) and (tokens[0] in QUESTION_WORDS or (len(tokens) > 1 and tokens[1] in QUESTION_WORDS))
    if (asks or opens) and QUESTION_OPENER.search(text):
        score += 0.8 if asks else 0.5
    return score


def trigger_words(prepared: Prepared) -> list[str]:
    """The folded words that can trigger rules (stretched words also in their un-stretched form)."""
    return prepared.tokens if prepared.stretched is None else prepared.tokens + prepared.stretched


def gather(prepared: Prepared) -> Evidence:
    """Weigh every rule on a prepared text."""
    text = prepared.pattern_text
    pos, neg = polarity(prepared)
    evidence = Evidence(positive=pos, negative=neg)
    if not text.strip():
        return evidence
    words = trigger_words(prepared)
    plain_hits, negated_hits = RULES.hits(words, text, NEGATED_BEFORE, _NEGATABLE, {"recovery": RECOVERY_UNREAL})
    plain = RULES.totals(plain_hits)
    negated = RULES.totals(negated_hits) if negated_hits else plain.fromkeys(plain, 0.0)
    outage, complaint, praise = plain["outage"], plain["complaint"], plain["praise"]
    complaint_negated, praise_negated = negated["complaint"], negated["praise"]
    question = _question(text, prepared, plain["question"])
    complaint += praise_negated + SENTIMENT_TO_LABEL * neg
    praise += 0.5 * complaint_negated + SENTIMENT_TO_LABEL * pos
    if neg > pos:
        # Thanks said over bad news is sarcasm or politeness, not praise.
        complaint += 0.3 * praise
        praise *= 0.5
    elif pos > neg and not complaint_negated:
        complaint *= 0.8
    if question and (complaint > 1.0 or neg > pos + 0.5) and not WHY_WORDS.isdisjoint(words) \
            and WHY_OPENER.search(text):
        complaint += 1.0
        question *= 0.4
    if prepared.shouting and complaint:
        complaint += 0.5
    if outage >= STRONG_OUTAGE:
        question *= 0.25
        complaint *= 0.5
        praise *= 0.3
    evidence.outage, evidence.complaint, evidence.praise, evidence.question = outage, complaint, praise, question
    evidence.recovery = plain["recovery"]
    return evidence


@lru_cache(maxsize=4096)
def evidence_of(text: str) -> Evidence:
    """gather(prepare(text)), remembered for recent texts: both tiers and the heads' features ask for it (read only)."""
    return gather(prepare(text))
