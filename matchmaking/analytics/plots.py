"""The programme report's plots as self-contained SVG (matplotlib, no internet, no pyplot).

Each function takes a :class:`~matchmaking.analytics.ProgrammeReport` and returns an SVG
document as text. matplotlib is the ``reports`` extra (``pip install
smartcity-matchmaking[reports]``); it is imported on first use only.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matchmaking.analytics import ProgrammeReport

HEATMAP_KPIS = 12
BARS = 10


def _figure(width: float, height: float) -> Any:
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "matchmaking"  # stable element ids
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text (searchable, small)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def unmet_needs(report: ProgrammeReport) -> str:
    """Horizontal bars: the top unmet needs over all regions (unmet cities)."""
    rows = [r for r in report.tables["unmet_needs"].records()
            if r["region"] == "All regions"][:BARS]
    fig = _figure(7.5, 4.2)
    ax = fig.subplots()
    if not rows:
        _empty(ax, "No unmet needs in this scope")
    else:
        labels = [f"{r['name']} ({r['need'].replace('_', ' ')})" for r in rows][::-1]
        ax.barh(labels, [r["unmet_cities"] for r in rows][::-1], color="#b5473a")
        ax.set_xlabel("cities with the need and no solution for it")
        ax.set_title("Unmet needs (market gaps)")
    return _svg(fig)


def lorenz(report: ProgrammeReport) -> str:
    """The Lorenz curve of exposure, one line per kind, with the equality diagonal."""
    pts = report.tables["exposure_lorenz"].records()
    gini = {r["kind"]: r["gini"] for r in report.tables["exposure_summary"].records()}
    fig = _figure(5.5, 4.5)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", label="equal exposure")
    for kind in dict.fromkeys(r["kind"] for r in pts):
        xs = [r["entity_share"] for r in pts if r["kind"] == kind]
        ys = [r["exposure_share"] for r in pts if r["kind"] == kind]
        ax.plot(xs, ys, marker=".", label=f"{kind} (Gini {gini.get(kind, 0):.2f})")
    ax.set_xlabel("share of entities, least exposed first")
    ax.set_ylabel("share of exposure")
    ax.set_title("Exposure: Lorenz curve")
    ax.legend(loc="upper left", fontsize="small")
    return _svg(fig)


def funnel(report: ProgrammeReport) -> str:
    """Lines per month: feedback given and contacted/accepted rates (all kinds together)."""
    rows = [r for r in report.tables["feedback_funnel"].records() if r["month"]]
    fig = _figure(7.0, 4.0)
    ax = fig.subplots()
    if not rows:
        _empty(ax, "No dated feedback in this scope yet")
        return _svg(fig)
    months = sorted({r["month"] for r in rows})
    given = {m: sum(r["given"] for r in rows if r["month"] == m) for m in months}
    for verdict, color in (("contacted", "#2f6f9f"), ("accepted", "#3c8d4f"),
                           ("declined", "#b5473a"), ("not_relevant", "#8a6d3b")):
        ys = [sum(r[verdict] for r in rows if r["month"] == m) / given[m] for m in months]
        ax.plot(months, ys, marker="o", color=color, label=verdict.replace("_", " "))
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of the feedback given")
    ax.set_title("Feedback funnel per month")
    ax.legend(fontsize="small")
    ax2 = ax.twinx()
    ax2.bar(months, [given[m] for m in months], alpha=0.15, color="#333333")
    ax2.set_ylabel("feedback given (bars)")
    return _svg(fig)


def kpi_heatmap(report: ProgrammeReport) -> str:
    """Heat map: mean shortfall of the weakest KPIs (columns) per region (rows)."""
    weakest = [r["kpi"] for r in report.tables["kpi_gaps"].records()][:HEATMAP_KPIS]
    cells = report.tables["kpi_gaps_by_region"].records()
    regions = sorted({r["region"] for r in cells})
    names = {r["kpi"]: r["kpi_name"] for r in cells}
    fig = _figure(8.0, 1.6 + 0.45 * max(len(regions), 1))
    ax = fig.subplots()
    if not weakest or not regions:
        _empty(ax, "No KPI values in this scope")
        return _svg(fig)
    import numpy as np

    grid = np.full((len(regions), len(weakest)), np.nan)
    at = {(r["region"], r["kpi"]): r["mean_gap"] for r in cells}
    for i, region in enumerate(regions):
        for j, kpi in enumerate(weakest):
            grid[i, j] = at.get((region, kpi), np.nan)
    import matplotlib

    cmap = matplotlib.colormaps["Reds"].with_extremes(bad="#d9d9d9")  # grey: no values
    im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    ax.set_yticks(range(len(regions)), regions)
    ax.set_xticks(range(len(weakest)), [names.get(k, k)[:28] for k in weakest], rotation=40,
                  ha="right", fontsize="small")
    ax.set_title("Mean KPI shortfall by region (weakest KPIs)")
    fig.colorbar(im, ax=ax, label="shortfall (0 best, 1 worst)")
    return _svg(fig)


#: Plot name -> function (the names the API serves under /reports/programme/plots/).
PLOTS: dict[str, Callable[[ProgrammeReport], str]] = {
    "unmet-needs": unmet_needs, "lorenz": lorenz, "funnel": funnel, "kpi-heatmap": kpi_heatmap,
}
