"""What happens after a match: the feedback funnel, and the network's growth per year.

Feedback is one verdict per (subject, candidate) pair (the latest one), dated by its ``at``
time stamp; the funnel counts the pairs given feedback per kind and month, split by verdict,
with each verdict's rate (count / given). Feedback without a readable date has month None.
The scope applies to the subject (a city, member or provider located in scope).

Growth counts the implementations, partnerships and advice per year, from their ``year``
property (None: not dated), where the city (either city, for a partnership) is in scope.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from matchmaking.analytics.base import ProgrammeData, Scope

VERDICTS = ("contacted", "accepted", "declined", "not_relevant")


@dataclass(frozen=True)
class FunnelRow:
    kind: str
    month: str | None
    given: int
    contacted: int
    accepted: int
    declined: int
    not_relevant: int
    contacted_rate: float
    accepted_rate: float
    declined_rate: float
    not_relevant_rate: float


@dataclass(frozen=True)
class GrowthRow:
    year: int | None
    implementations: int
    partnerships: int
    advice: int


def feedback_funnel(data: ProgrammeData, scope: Scope) -> list[FunnelRow]:
    """Per (kind, month) with feedback, sorted by kind then month (undated last)."""
    ok = scope.mask(data.proj)
    counts: dict[tuple[str, str | None], Counter[str]] = {}
    for s, _, kind, verdict, month in data.history.feedback:
        if ok[s]:
            counts.setdefault((kind, month), Counter())[verdict] += 1
    out = []
    for (kind, month), c in sorted(counts.items(), key=lambda x: (x[0][0], x[0][1] is None,
                                                                  x[0][1] or "")):
        given = sum(c.values())
        n = [c[v] for v in VERDICTS]
        out.append(FunnelRow(kind, month, given, *n, *(round(x / given, 4) for x in n)))
    return out


def network_growth(data: ProgrammeData, scope: Scope) -> list[GrowthRow]:
    """Implementations, partnerships and advice per year (undated last)."""
    ok = scope.mask(data.proj)
    h = data.history
    impl = Counter(y for c, _, y in h.implemented if ok[c])
    adv = Counter(y for _, c, y in h.advised if ok[c])
    part = Counter(y for a, b, y in h.partnerships if ok[a] or ok[b])
    years = sorted(set(impl) | set(adv) | set(part), key=lambda y: (y is None, y or 0))
    return [GrowthRow(y, impl[y], part[y], adv[y]) for y in years]
