"""Request and response schemas.

Entity schemas are derived from the property models of :mod:`graph_schema.schema`, so the
validation rules (types, ranges, ISO codes) are defined once: ``CityCreate`` is
``CityProps`` plus an ``id``; ``CityUpdate`` has the same fields, all optional (``null``
removes an optional property, as in JSON merge patch; a required one cannot be null);
``CityPublic`` is what the API returns.

The published schema says what the API accepts, so that a request the schema allows is
never refused (checked by Schemathesis with every check): country fields list the ISO codes,
extra properties name the allowed property names and value types, and an integer field
accepts a JSON number with no fraction (``378.0``), as JSON Schema's ``integer`` does.
"""

from __future__ import annotations

from functools import cache
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator
from pydantic.fields import FieldInfo

from graph_schema import reference
from graph_schema.schema import (
    ID_PATTERN,
    LANGUAGE_PATTERN,
    CityProps,
    ExpertInProps,
    ImplementedProps,
    MeasuresProps,
    MemberProps,
    NeedsProps,
    OffersProps,
    PrioritizesProps,
    Props,
    ProviderProps,
    SolutionProps,
    TopicProps,
    Verdict,
    WorksForProps,
)
from matchmaking.kinds import CityKind, Kind

__all__ = ["CityKind", "Kind", "Verdict"]  # re-exported for the routers

EntityId = Annotated[str, Field(pattern=ID_PATTERN.pattern, min_length=1, max_length=128,
                                examples=["city:aarhus"])]
Scalar = str | int | float | bool
PropValue = Scalar | list[str | int | float]


#: Property names a client may add (the rule of :mod:`matchmaking.service`).
PROPERTY_NAME_SCHEMA: dict[str, Any] = {
    "pattern": r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", "not": {"enum": ["id", "label", "_builtin"]},
}
_INT64 = {"minimum": -(2**63), "maximum": 2**63 - 1}
#: Values of extra properties: a string, a number, a boolean, or a list of strings or of
#: numbers (as the interchange format allows).
EXTRA_VALUE_SCHEMA: dict[str, Any] = {"anyOf": [
    {"type": "string"}, {"type": "number", **_INT64}, {"type": "boolean"},
    {"type": "array", "items": {"type": "string"}},
    {"type": "array", "items": {"type": "number", **_INT64}},
]}


@cache
def country_codes() -> list[str]:
    """Every ISO 3166-1 alpha-2 code the API accepts."""
    return [str(c["code"]) for c in reference.countries()]


@cache
def region_names() -> list[str]:
    """Every UN M49 region and subregion name used by the country reference data."""
    out = {str(x) for c in reference.countries() for x in (c.get("region"), c.get("subregion"))
           if x}
    return sorted(out)


def _enum_schema(schema: dict[str, Any], values: list[str]) -> None:
    """Put ``enum`` on the string branch of a (possibly nullable) property schema."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "string":
            branch.pop("pattern", None)
            branch["enum"] = values


def _is_int_field(f: FieldInfo) -> bool:
    ann = f.annotation
    args = get_args(ann) if get_origin(ann) in (Union, UnionType) else (ann,)
    args = tuple(get_args(a)[0] if get_origin(a) is Annotated else a for a in args)
    return int in args and float not in args


class _ApiBody(BaseModel):
    """Mixin of every request body derived from a property model (see the module docstring)."""

    @model_validator(mode="before")
    @classmethod
    def _integral_floats(cls, data: Any) -> Any:
        if isinstance(data, dict):
            ints = [n for n, f in cls.model_fields.items() if _is_int_field(f)]
            for n in ints:
                v = data.get(n)
                if isinstance(v, float) and v.is_integer() and abs(v) < 2**63:
                    data = {**data, n: int(v)}
        return data

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        props = schema.get("properties", {})
        if "country" in props:
            _enum_schema(props["country"], country_codes())
        if "languages" in props:
            for branch in props["languages"].get("anyOf", [props["languages"]]):
                if branch.get("type") == "array":
                    branch["items"] = {"type": "string", "pattern": LANGUAGE_PATTERN.pattern}
        nullable = cls.__name__.endswith("Update")  # in a PATCH, null removes a property
        schema["additionalProperties"] = (
            {"anyOf": [*EXTRA_VALUE_SCHEMA["anyOf"], {"type": "null"}]} if nullable
            else EXTRA_VALUE_SCHEMA
        )
        # declared properties (such as a create body's "id"), or an allowed extra name
        schema["propertyNames"] = {"anyOf": [{"enum": sorted(props)}, PROPERTY_NAME_SCHEMA]}
        return schema


def _with_meta(f: FieldInfo) -> Any:
    return Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation


def _create(name: str, props: type[Props]) -> type[BaseModel]:
    return create_model(name, __base__=(props, _ApiBody), id=(EntityId, ...))


def _update(name: str, props: type[Props]) -> type[BaseModel]:
    # Optional properties may be null (removed); required ones may be left out, not nulled.
    fields: dict[str, Any] = {
        n: (_with_meta(f) if f.is_required() else _with_meta(f) | None,
            Field(None, description=f.description, validate_default=False))
        for n, f in props.model_fields.items()
    }
    model: type[BaseModel] = create_model(name, __base__=(props, _ApiBody), **fields)
    model.__doc__ = (
        f"Changes to a {name.removesuffix('Update')}: only the given properties change; "
        "null removes one."
    )
    return model


class _Public(BaseModel):
    model_config = ConfigDict(extra="allow")


def _public(name: str, props: type[Props]) -> type[BaseModel]:
    fields: dict[str, Any] = {"id": (str, ...)}
    for n, f in props.model_fields.items():
        ann = _with_meta(f)
        fields[n] = (ann, ...) if f.is_required() else (ann | None, None)
    return create_model(name, __base__=_Public, **fields)


def _page(name: str, item: type[BaseModel]) -> type[BaseModel]:
    return create_model(name, data=(list[item], ...), count=(int, ...))  # type: ignore[valid-type]


ENTITY_PROPS: dict[str, type[Props]] = {
    "City": CityProps,
    "Provider": ProviderProps,
    "Solution": SolutionProps,
    "Member": MemberProps,
    "Topic": TopicProps,
}
PLURALS = {"City": "Cities", "Provider": "Providers", "Solution": "Solutions",
           "Member": "Members", "Topic": "Topics"}

CityCreate = _create("CityCreate", CityProps)
CityUpdate = _update("CityUpdate", CityProps)
CityPublic = _public("CityPublic", CityProps)
CitiesPublic = _page("CitiesPublic", CityPublic)
ProviderCreate = _create("ProviderCreate", ProviderProps)
ProviderUpdate = _update("ProviderUpdate", ProviderProps)
ProviderPublic = _public("ProviderPublic", ProviderProps)
ProvidersPublic = _page("ProvidersPublic", ProviderPublic)
SolutionCreate = _create("SolutionCreate", SolutionProps)
SolutionUpdate = _update("SolutionUpdate", SolutionProps)
SolutionPublic = _public("SolutionPublic", SolutionProps)
SolutionsPublic = _page("SolutionsPublic", SolutionPublic)
MemberCreate = _create("MemberCreate", MemberProps)
MemberUpdate = _update("MemberUpdate", MemberProps)
MemberPublic = _public("MemberPublic", MemberProps)
MembersPublic = _page("MembersPublic", MemberPublic)
TopicCreate = _create("TopicCreate", TopicProps)
TopicUpdate = _update("TopicUpdate", TopicProps)
TopicPublic = _public("TopicPublic", TopicProps)
TopicsPublic = _page("TopicsPublic", TopicPublic)

#: (create, update, public, page) per label name.
ENTITY_SCHEMAS: dict[str, tuple[type[BaseModel], ...]] = {
    "City": (CityCreate, CityUpdate, CityPublic, CitiesPublic),
    "Provider": (ProviderCreate, ProviderUpdate, ProviderPublic, ProvidersPublic),
    "Solution": (SolutionCreate, SolutionUpdate, SolutionPublic, SolutionsPublic),
    "Member": (MemberCreate, MemberUpdate, MemberPublic, MembersPublic),
    "Topic": (TopicCreate, TopicUpdate, TopicPublic, TopicsPublic),
}


# --------------------------------------------------------------------------- relationships


class ImplementationProps(ImplementedProps, _ApiBody):
    """Properties of City -[IMPLEMENTED]-> Solution."""


class NeedProps(NeedsProps, _ApiBody):
    """Properties of City -[NEEDS]-> Topic."""


class PriorityProps(PrioritizesProps, _ApiBody):
    """Properties of City -[PRIORITIZES]-> SDG."""


class MeasurementProps(MeasuresProps, _ApiBody):
    """Properties of City -[MEASURES]-> KPI (``value`` is required)."""


class ExpertiseProps(ExpertInProps, _ApiBody):
    """Properties of Member -[EXPERT_IN]-> Topic."""


class AffiliationProps(WorksForProps, _ApiBody):
    """Properties of Member -[WORKS_FOR]-> City or Provider."""


class OfferProps(OffersProps, _ApiBody):
    """Properties of Provider -[OFFERS]-> Solution: ``owner: true`` marks the provider that
    owns (may edit) the solution; only staff may set or clear it."""


class LinkPublic(BaseModel):
    """A relationship from the parent to ``target``, with its properties."""

    target: str
    target_label: str
    target_name: str | None = None
    properties: dict[str, PropValue] = Field(default_factory=dict)


class LinksPublic(BaseModel):
    data: list[LinkPublic]
    count: int


# --------------------------------------------------------------------------- recommendations


class OfferProvider(BaseModel):
    id: str
    name: str


class OfferPublic(BaseModel):
    """Another offer of the same idea as a grouped solution (same category, near-identical
    name): its id, name, own score and providers."""

    id: str
    name: str
    score: float
    providers: list[OfferProvider]


class RecommendationPublic(BaseModel):
    """One recommended candidate with its score, score components and reasons."""

    id: str
    label: str
    name: str | None = None
    score: float
    components: dict[str, float] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list)
    also_offered_by: list[OfferPublic] = Field(
        default_factory=list,
        description="solutions with group=true: the other offers of the same idea that are "
                    "eligible for this request, best first (absent when there are none)")


class RecommendationsPublic(BaseModel):
    subject: str
    kind: Kind
    data: list[RecommendationPublic]
    count: int


# --------------------------------------------------------------------------- feedback


class FeedbackCreate(BaseModel):
    """Feedback of ``subject`` on a recommended ``candidate``."""

    model_config = ConfigDict(extra="forbid")

    subject: EntityId
    candidate: EntityId
    kind: Kind
    verdict: Verdict
    note: Annotated[str, Field(max_length=2000)] | None = None


class FeedbackPublic(BaseModel):
    subject: str
    candidate: str
    kind: str
    verdict: str
    note: str | None = None
    at: str | None = None


class FeedbacksPublic(BaseModel):
    data: list[FeedbackPublic]
    count: int


# --------------------------------------------------------------------------- reference, stats


class SDGPublic(BaseModel):
    id: str
    number: int
    name: str
    title: str | None = None


class SDGsPublic(BaseModel):
    data: list[SDGPublic]
    count: int


class CountryPublic(BaseModel):
    id: str
    code: str
    alpha3: str | None = None
    name: str
    region: str | None = None
    subregion: str | None = None


class CountriesPublic(BaseModel):
    data: list[CountryPublic]
    count: int


class KPIPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name: str | None = None
    code: str | None = None
    unit: str | None = None
    dimension: str | None = None
    category: str | None = None


class KPIsPublic(BaseModel):
    data: list[KPIPublic]
    count: int


class StatsPublic(BaseModel):
    nodes: dict[str, int]
    relationships: dict[str, int]
    generation: int


class ImportResult(BaseModel):
    """The import report (``ImportReport.to_json()``)."""

    ok: bool
    written: bool
    nodes_read: int
    rels_read: int
    nodes_written: int
    rels_written: int
    error_count: int
    errors: list[dict[str, str | int]]


class Health(BaseModel):
    status: Literal["ok"]


class _KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=200)] = ""
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        None, description="Expire the key after this many days (default: never).")


class UnboundKeyCreate(_KeyCreate):
    """A key for a role that is not bound to an object (no ``subject``)."""

    role: Literal["admin", "staff"]


class BoundKeyCreate(_KeyCreate):
    """A key bound to one City, Member or Provider (its ``subject``)."""

    role: Literal["city", "member", "provider"]
    subject: EntityId


#: The body of ``POST /keys``: the schema says which roles need a ``subject``.
KeyCreate = Annotated[UnboundKeyCreate | BoundKeyCreate, Field(discriminator="role")]


class KeyPublic(BaseModel):
    key_id: str
    role: str
    subject: str | None = None
    name: str
    created: str
    revoked: bool
    expires: str | None = None


class KeyCreated(KeyPublic):
    key: str = Field(description="The full key; shown only in this response.")


class KeysPublic(BaseModel):
    data: list[KeyPublic]
    count: int
