"""The programme report: JSON, Excel workbook and SVG plots.

- ``GET /reports/programme`` (admin and staff keys): every table of
  :func:`matchmaking.analytics.programme_report` for the cities in scope (``country``,
  ``region``), as ``{"title", "columns", "rows"}`` per table name.
- ``GET /reports/programme.xlsx``: the same tables, one worksheet each (openpyxl).
- ``GET /reports/programme/plots/{name}.svg``: the page's plots, drawn on the server with
  matplotlib (the ``reports`` extra); 501 when it is not installed.

The page ``/staff/programme`` that shows them is served by :mod:`api.routers.pages`.

Reports are cached per (engine, store generation, scope): the first one after a write
makes a full recommendation pass (every city in scope, four kinds), later ones are cheap.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from matchmaking import analytics

from .. import xlsx
from ..deps import EngineDep
from ..errors import ApiProblem, problem_responses
from .reports import XLSX, CountryQuery, RegionQuery, StaffDep

router = APIRouter(prefix="/reports", tags=["reports"],
                   responses=problem_responses(401, 403, 422, 429, 503))

Cell = str | int | float | None


class ProgrammeTable(BaseModel):
    title: str
    columns: list[str]
    rows: list[list[Cell]]


class ProgrammeReportPublic(BaseModel):
    """Every programme table for the cities in scope, by table name."""

    scope: dict[str, str | None] = Field(description="the country and region filters used")
    cities: int = Field(description="cities in scope")
    generation: int | None = Field(description="store generation the report shows")
    tables: dict[str, ProgrammeTable]


_LOCK = threading.Lock()
_REPORTS: dict[tuple[Any, ...], analytics.ProgrammeReport] = {}


def _report(engine: Any, country: str | None, region: str | None) -> analytics.ProgrammeReport:
    scope = analytics.Scope(country=country, region=region)  # InvalidInput -> 422
    key = (id(engine), engine.projection.generation, country, (region or "").lower())
    with _LOCK:
        hit = _REPORTS.get(key)
    if hit is None:
        hit = analytics.programme_report(engine, scope)
        with _LOCK:
            while len(_REPORTS) >= 8:
                _REPORTS.pop(next(iter(_REPORTS)))
            _REPORTS[key] = hit
    return hit


@router.get("/programme", response_model=ProgrammeReportPublic,
            summary="The programme as tables: demand and supply, KPI weak spots, exposure "
                    "fairness, feedback funnel, network growth")
def programme_report(principal: StaffDep, engine: EngineDep, country: CountryQuery = None,
                     region: RegionQuery = None) -> ProgrammeReportPublic:
    """Programme analytics for the cities in scope (all cities without filters); see
    `docs/staff-pages.md` for every table and column. Admin and staff keys only."""
    rep = _report(engine, country, region)
    return ProgrammeReportPublic(
        scope={"country": country, "region": region}, cities=rep.cities,
        generation=rep.generation,
        tables={n: ProgrammeTable(title=t.title, columns=list(t.columns),
                                  rows=[list(r) for r in t.rows])
                for n, t in rep.tables.items()})


@router.get("/programme.xlsx", response_class=Response,
            summary="The programme report as an Excel workbook, one sheet per table",
            responses={200: {"content": {XLSX: {}}}})
def programme_workbook(principal: StaffDep, engine: EngineDep, country: CountryQuery = None,
                       region: RegionQuery = None) -> Response:
    """The tables of `GET /reports/programme` as an .xlsx workbook: one worksheet per table
    (named after it), the column names in the first row. Admin and staff keys only."""
    rep = _report(engine, country, region)
    name = "programme" + "".join(f"-{x}" for x in (country, region) if x)
    return Response(workbook(rep), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{name.replace(" ", "_")}.xlsx"'})


def workbook(rep: analytics.ProgrammeReport) -> bytes:
    """The report's tables as an .xlsx file (one worksheet per table)."""
    return xlsx.workbook({name: [t.columns, *t.rows] for name, t in rep.tables.items()},
                         title=f"Programme report ({rep.scope.describe()})")


@router.get("/programme/plots/{name}.svg", response_class=Response,
            summary="One plot of the programme report (SVG)",
            responses={200: {"content": {"image/svg+xml": {}}}, **problem_responses(404, 501)})
def programme_plot(name: str, principal: StaffDep, engine: EngineDep,
                   country: CountryQuery = None, region: RegionQuery = None) -> Response:
    """`unmet-needs` (bars), `lorenz` (exposure), `funnel` (lines), `kpi-heatmap` (KPI
    shortfall by region). Admin and staff keys only."""
    from matchmaking.analytics.plots import PLOTS

    draw = PLOTS.get(name)
    if draw is None:
        raise ApiProblem(404, f"no plot '{name}': use one of {', '.join(PLOTS)}",
                         slug="not-found")
    rep = _report(engine, country, region)
    try:
        svg = draw(rep)
    except ImportError:
        raise ApiProblem(501, "plots need matplotlib: pip install "
                         "'smartcity-matchmaking[reports]'", slug="not-implemented") from None
    return Response(svg, media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
