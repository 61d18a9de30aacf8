"""The names of the recommendation kinds, without their machinery.

:class:`Kind` and :class:`CityKind` are plain enums with no numpy, scipy or scikit-learn
behind them, so the command line can validate a ``KIND`` argument (and print its choices)
without loading the engine. Everything else about a kind (subject, candidate, features,
reasons) is in :mod:`matchmaking.kinds`, which re-exports these names and checks at import
that :class:`CityKind` matches its registry.

Examples
--------
>>> Kind("peers") is Kind.PEERS
True
>>> [k.value for k in CityKind]
['solutions', 'providers', 'peers', 'experts']
"""

from __future__ import annotations

from enum import StrEnum

from graph_schema.errors import InvalidInput

__all__ = ["CityKind", "Kind", "kind_of"]


class Kind(StrEnum):
    """The six recommendation kinds (the value is the name used in the API and the CLI)."""

    SOLUTIONS = "solutions"
    PROVIDERS = "providers"
    PEERS = "peers"
    EXPERTS = "experts"
    OPPORTUNITIES = "opportunities"
    LEADS = "leads"


class CityKind(StrEnum):
    """The kinds whose subject is a city (``kinds_for(Label.CITY)``, checked when
    :mod:`matchmaking.kinds` is imported): the type of ``/cities/{id}/recommendations/{kind}``
    and of the meetings report."""

    SOLUTIONS = Kind.SOLUTIONS.value
    PROVIDERS = Kind.PROVIDERS.value
    PEERS = Kind.PEERS.value
    EXPERTS = Kind.EXPERTS.value


def kind_of(value: str) -> Kind:
    """``value`` as a :class:`Kind`, or :class:`InvalidInput` naming the valid kinds.

    Examples
    --------
    >>> kind_of("leads")
    <Kind.LEADS: 'leads'>
    >>> kind_of("friends")
    Traceback (most recent call last):
    ...
    graph_schema.errors.InvalidInput: unknown kind 'friends': use one of solutions, providers, \
peers, experts, opportunities, leads
    """
    try:
        return Kind(value)
    except ValueError:
        raise InvalidInput(f"unknown kind {value!r}: use one of "
                           f"{', '.join(k.value for k in Kind)}") from None
