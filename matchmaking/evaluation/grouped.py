"""The ``hybrid (grouped)`` row: the engine's grouped ``solutions`` lists, where a group (one
idea, several offers) counts as a hit when any of its members is a held-out link.

Relevance is seen through the groups on both sides: a subject's relevant set becomes one
item per relevant *group*, so several held-out offers of one idea count once, and the ideal
DCG is that of the distinct relevant ideas. The targets are measured on the ungrouped
``hybrid`` row; this row is reported beside it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from matchmaking.engine import Engine
from matchmaking.evaluation.tasks import Task
from matchmaking.filtering import RecommendOptions
from matchmaking.kinds import Kind

GROUPED = "hybrid (grouped)"


def grouped_lists(engine: Engine, task: Task, subjects: Iterable[str], k: int,
                  ) -> tuple[dict[str, list[str]], Task]:
    """The grouped lists of ``subjects`` and the task with relevance seen through groups.

    Parameters
    ----------
    engine : Engine
        Trained on the training graph.
    task : Task
        A ``solutions`` task.
    subjects : iterable of str
    k : int

    Returns
    -------
    ranked : dict of str to list of str
        Per subject, the ids of the offers that stand in its grouped list.
    task : Task
        A copy of ``task`` whose relevant sets hold the standing offers of relevant groups
        and one placeholder per relevant group that is not in the list.
    """
    assert task.kind is Kind.SOLUTIONS
    group = engine.solution_groups()
    ranked: dict[str, list[str]] = {}
    relevant: dict[str, set[str]] = {}
    for s in subjects:
        recs = engine.recommend(Kind.SOLUTIONS, s, k=k, options=RecommendOptions(group=True))
        ranked[s] = [r.id for r in recs]
        wanted = {group.get(x, x) for x in task.relevant.get(s, set())}
        hits = {r.id for r in recs if group.get(r.id, r.id) in wanted}
        missed = wanted - {group.get(x, x) for x in hits}
        relevant[s] = hits | {f"group:{g}" for g in missed}
    return ranked, dataclasses.replace(task, relevant=relevant)
