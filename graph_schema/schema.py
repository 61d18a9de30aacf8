"""The domain model of the smartcity-graph/1 interchange format, in code.

Labels and relationship types are enums: they are the only strings that ever become a
Neo4j label or relationship type. Property models are pydantic v2 models that check
types and ranges, keep unknown properties, and reject nested objects.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from graph_schema import events, reference
from graph_schema.errors import InvalidInput

#: Node ids. Always checked with ``fullmatch``: ``match`` would let ``$`` accept a final "\\n".
ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}$")
#: Names of free (extra) properties, the same for the API and for imports on every store.
PROPERTY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
#: Names that the stores use themselves and that are never property names.
RESERVED_NAMES = frozenset({"id", "label", "_builtin"})
MAX_INT = 2**63 - 1
#: What an e-mail address may not contain in any of its three parts: "@", ASCII control
#: characters and the space, and every character that any regex dialect counts as white space
#: (Python's ``re``, ECMA-262 of the OpenAPI schema, the Rust engine of pydantic). Spelled out
#: instead of ``\s`` because those dialects disagree on ``\s`` (e.g. U+00A0, U+0085, U+FEFF),
#: so the schema and the validator accept exactly the same addresses.
_NOT_IN_EMAIL = (r"@\x00-\x20\x7f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f"
                 r"\u205f\u3000\ufeff")
EMAIL_PATTERN = re.compile(rf"^[^{_NOT_IN_EMAIL}]+@[^{_NOT_IN_EMAIL}]+\.[^{_NOT_IN_EMAIL}]+$")


class Label(StrEnum):
    CITY = "City"
    PROVIDER = "Provider"
    SOLUTION = "Solution"
    MEMBER = "Member"
    TOPIC = "Topic"
    KPI = "KPI"
    SDG = "SDG"
    COUNTRY = "Country"
    #: A matchmaking event (smartcity-graph/1.1).
    EVENT = "Event"
    #: A scheduled 1:1 meeting at an event (smartcity-graph/1.1).
    MEETING = "Meeting"
    #: Engine-internal: hashed API keys. Never exported, never projected.
    API_KEY = "ApiKey"


class RelType(StrEnum):
    OFFERS = "OFFERS"
    IMPLEMENTED = "IMPLEMENTED"
    ADDRESSES = "ADDRESSES"
    COVERS = "COVERS"
    PRIORITIZES = "PRIORITIZES"
    NEEDS = "NEEDS"
    EXPERT_IN = "EXPERT_IN"
    WORKS_FOR = "WORKS_FOR"
    KNOWS = "KNOWS"
    ADVISED = "ADVISED"
    PARTNERS_WITH = "PARTNERS_WITH"
    MEASURES = "MEASURES"
    IMPROVES = "IMPROVES"
    LOCATED_IN = "LOCATED_IN"
    FEEDBACK = "FEEDBACK"
    #: A participant attends an event (smartcity-graph/1.1).
    ATTENDS = "ATTENDS"
    #: A meeting takes place at an event (smartcity-graph/1.1).
    HELD_AT = "HELD_AT"
    #: A meeting is with a participant; every meeting has exactly two (smartcity-graph/1.1).
    MEETS = "MEETS"


#: Allowed (from labels, to labels) of every relationship type.
ENDPOINTS: dict[RelType, tuple[frozenset[Label], frozenset[Label]]] = {
    RelType.OFFERS: (frozenset({Label.PROVIDER}), frozenset({Label.SOLUTION})),
    RelType.IMPLEMENTED: (frozenset({Label.CITY}), frozenset({Label.SOLUTION})),
    RelType.ADDRESSES: (frozenset({Label.SOLUTION}), frozenset({Label.SDG})),
    RelType.COVERS: (frozenset({Label.SOLUTION}), frozenset({Label.TOPIC})),
    RelType.PRIORITIZES: (frozenset({Label.CITY}), frozenset({Label.SDG})),
    RelType.NEEDS: (frozenset({Label.CITY}), frozenset({Label.TOPIC})),
    RelType.EXPERT_IN: (frozenset({Label.MEMBER}), frozenset({Label.TOPIC})),
    RelType.WORKS_FOR: (frozenset({Label.MEMBER}), frozenset({Label.CITY, Label.PROVIDER})),
    RelType.KNOWS: (frozenset({Label.MEMBER}), frozenset({Label.MEMBER})),
    RelType.ADVISED: (frozenset({Label.MEMBER}), frozenset({Label.CITY})),
    RelType.PARTNERS_WITH: (frozenset({Label.CITY}), frozenset({Label.CITY})),
    RelType.MEASURES: (frozenset({Label.CITY}), frozenset({Label.KPI})),
    RelType.IMPROVES: (frozenset({Label.SOLUTION}), frozenset({Label.KPI})),
    RelType.LOCATED_IN: (
        frozenset({Label.CITY, Label.PROVIDER, Label.MEMBER}),
        frozenset({Label.COUNTRY}),
    ),
    # Feedback on a match: from the subject (City, Member or Provider) to the candidate.
    RelType.FEEDBACK: (
        frozenset({Label.CITY, Label.MEMBER, Label.PROVIDER}),
        frozenset({Label.CITY, Label.MEMBER, Label.PROVIDER, Label.SOLUTION}),
    ),
    RelType.ATTENDS: (
        frozenset({Label.CITY, Label.MEMBER, Label.PROVIDER}), frozenset({Label.EVENT}),
    ),
    RelType.HELD_AT: (frozenset({Label.MEETING}), frozenset({Label.EVENT})),
    RelType.MEETS: (
        frozenset({Label.MEETING}), frozenset({Label.CITY, Label.MEMBER, Label.PROVIDER}),
    ),
}

#: Types that the store derives itself; a dataset may not contain them.
DERIVED_TYPES = frozenset({RelType.LOCATED_IN})
#: Types that the engine writes (not part of smartcity-graph/1 datasets).
ENGINE_TYPES = frozenset({RelType.FEEDBACK})
#: Types whose direction carries no meaning for scoring.
SYMMETRIC_TYPES = frozenset({RelType.KNOWS, RelType.PARTNERS_WITH})
#: Labels the engine supplies itself.
REFERENCE_LABELS = frozenset({Label.SDG, Label.COUNTRY, Label.KPI})
#: Labels the engine keeps for itself; not part of smartcity-graph/1 datasets.
INTERNAL_LABELS = frozenset({Label.API_KEY})
#: Labels and types of events and meetings (smartcity-graph/1.1): stored, imported and
#: exported, but not part of the recommendation graph.
EVENT_LABELS = frozenset({Label.EVENT, Label.MEETING})
EVENT_TYPES = frozenset({RelType.ATTENDS, RelType.HELD_AT, RelType.MEETS})
#: Labels whose ``country`` property yields a LOCATED_IN relationship.
LOCATED_LABELS = ENDPOINTS[RelType.LOCATED_IN][0]


@dataclass(frozen=True, slots=True)
class Node:
    """A node: unique ``id``, one ``label`` and free properties."""

    id: str
    label: Label
    props: dict[str, Any] = field(default_factory=dict)

    def to_json(self, sort: bool = True) -> dict[str, Any]:
        """The interchange record; properties sorted by name unless ``sort=False``."""
        props = dict(sorted(self.props.items())) if sort else self.props
        return {"id": self.id, "label": self.label.value, **props}


@dataclass(frozen=True, slots=True)
class Rel:
    """A directed relationship; at most one per (type, src, dst)."""

    type: RelType
    src: str
    dst: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type.value, self.src, self.dst)

    def to_json(self, sort: bool = True) -> dict[str, Any]:
        """The interchange record; properties sorted by name unless ``sort=False``."""
        props = dict(sorted(self.props.items())) if sort else self.props
        return {"type": self.type.value, "from": self.src, "to": self.dst, **props}


# --------------------------------------------------------------------------- properties

NonEmpty = Annotated[str, Field(min_length=1, max_length=10_000)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Level = Annotated[int, Field(ge=1, le=5)]


def _check_country(value: str) -> str:
    if reference.country(value) is None:
        iso = reference.country_alias_hint(value)
        hint = f"; use the ISO 3166-1 code '{iso}'" if iso else ""
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code{hint}")
    return value


def _check_languages(values: list[str]) -> list[str]:
    for v in values:
        if not isinstance(v, str) or not LANGUAGE_PATTERN.fullmatch(v):
            raise ValueError(f"'{v}' is not an ISO 639-1 language code (two lowercase letters)")
    return values


class Props(BaseModel):
    """Base of every property model: strict types, frozen, unknown properties kept, no NaN
    or ±Infinity.

    Subclass it to describe the properties of a label or a relationship type; see
    :data:`NODE_PROPS` and :data:`REL_PROPS`.
    """

    model_config = ConfigDict(extra="allow", strict=True, frozen=True, allow_inf_nan=False)


class _Located(Props):
    @field_validator("country", check_fields=False)
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return None if v is None else _check_country(v)

    @field_validator("languages", check_fields=False)
    @classmethod
    def _languages(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _check_languages(v)


class CityProps(_Located):
    name: NonEmpty
    country: str
    population: Annotated[int, Field(ge=0, le=MAX_INT)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    description: str | None = None
    languages: list[str] | None = None
    budget_eur: Annotated[float, Field(ge=0)] | None = None
    #: id of the City this one is part of (a district or borough of it); checked at import
    #: by :mod:`graph_schema.part_of` (an existing City, not itself, no cycle)
    part_of: Annotated[str, Field(pattern=ID_PATTERN.pattern)] | None = None


class ProviderKind(StrEnum):
    """What kind of organisation a provider is (``Provider.kind``)."""

    COMPANY = "company"
    STARTUP = "startup"
    RESEARCH = "research"
    NGO = "ngo"
    PUBLIC = "public"


class SolutionCategory(StrEnum):
    """The smart-city dimension a solution belongs to (``Solution.category``)."""

    ECONOMY = "economy"
    ENVIRONMENT = "environment"
    GOVERNMENT = "government"
    LIVING = "living"
    MOBILITY = "mobility"
    PEOPLE = "people"


class Verdict(StrEnum):
    """A user's feedback on a recommendation (``FEEDBACK.verdict``)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    CONTACTED = "contacted"
    NOT_RELEVANT = "not_relevant"


#: Verdicts that hide the candidate from that subject's recommendations of that kind.
NEGATIVE_VERDICTS = frozenset({Verdict.DECLINED, Verdict.NOT_RELEVANT})
#: Provider kinds and solution categories as plain strings, in definition order.
PROVIDER_KINDS: tuple[str, ...] = tuple(k.value for k in ProviderKind)
CATEGORIES: tuple[str, ...] = tuple(c.value for c in SolutionCategory)


class ProviderProps(_Located):
    name: NonEmpty
    country: str
    kind: Annotated[ProviderKind, Field(strict=False)] | None = None
    employees: Annotated[int, Field(ge=0, le=MAX_INT)] | None = None
    languages: list[str] | None = None
    description: str | None = None
    website: str | None = None


class SolutionProps(Props):
    name: NonEmpty
    category: Annotated[SolutionCategory, Field(strict=False)]
    description: str | None = None
    maturity: Literal["pilot", "proven", "scaled"] | None = None
    cost: Literal["low", "medium", "high"] | None = None


class MemberProps(_Located):
    name: NonEmpty
    country: str | None = None
    kind: Literal["expert", "city_official", "provider_staff", "researcher", "other"] | None = None
    languages: list[str] | None = None
    bio: str | None = None
    open_to_matches: bool | None = None
    email: Annotated[str, Field(pattern=EMAIL_PATTERN.pattern)] | None = None


class TopicProps(Props):
    name: NonEmpty
    description: str | None = None


class KPIProps(Props):
    name: NonEmpty
    code: str | None = None
    unit: str | None = None
    dimension: str | None = None
    subdimension: str | None = None
    category: str | None = None
    type: str | None = None
    direction: str | None = None
    description: str | None = None


class BuiltinKPIProps(KPIProps):
    """A built-in U4SSC KPI in a dataset: the name may be omitted, every known property
    keeps its type (the API and the reports read them)."""

    name: NonEmpty | None = None  # type: ignore[assignment]


class SDGProps(Props):
    """An SDG in a dataset: the engine supplies the properties; a dataset may add more,
    but not change the type of the known ones."""

    name: NonEmpty | None = None
    title: str | None = None
    number: Annotated[int, Field(ge=1, le=17)] | None = None


class CountryProps(Props):
    """A Country in a dataset: as :class:`SDGProps`."""

    name: NonEmpty | None = None
    code: str | None = None
    alpha3: str | None = None
    region: str | None = None
    subregion: str | None = None


class ReferenceProps(Props):
    """Free properties only (engine-internal nodes)."""


class ImplementedProps(Props):
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    rating: Annotated[float, Field(ge=1, le=5)] | None = None
    provider: Annotated[str, Field(pattern=ID_PATTERN.pattern)] | None = None


class PrioritizesProps(Props):
    weight: Unit | None = None


class NeedsProps(Props):
    urgency: Unit | None = None


class ExpertInProps(Props):
    level: Level | None = None


class WorksForProps(Props):
    role: str | None = None


class OffersProps(Props):
    """``owner: true`` marks the provider that owns (may edit) the solution; see
    ``docs/security.md``."""

    owner: bool | None = None


class AdvisedProps(Props):
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class MeasuresProps(Props):
    value: float
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class FeedbackProps(Props):
    #: a recommendation kind (``matchmaking.kinds.Kind``; the service that writes feedback
    #: checks it, since this lowest layer does not know the engine's kinds)
    kind: Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")]
    verdict: Annotated[Verdict, Field(strict=False)]
    note: Annotated[str, Field(max_length=2000)] | None = None
    at: str | None = None


IdRef = Annotated[str, Field(pattern=ID_PATTERN.pattern)]
SlotIndex = Annotated[int, Field(ge=0, le=events.MAX_SLOTS - 1)]


class EventProps(Props):
    name: NonEmpty
    timezone: Annotated[str, AfterValidator(events.check_timezone)]
    date: Annotated[str, AfterValidator(events.check_date)]
    start: Annotated[str, AfterValidator(events.check_time)]
    slot_minutes: Annotated[int, Field(ge=5, le=240)]
    slots: Annotated[int, Field(ge=1, le=events.MAX_SLOTS)]
    tables: Annotated[int, Field(ge=1, le=events.MAX_TABLES)]
    venue: str | None = None
    description: str | None = None


class AttendsProps(Props):
    role: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    availability: Annotated[list[SlotIndex], AfterValidator(events.check_unique)] | None = None
    max_meetings: Annotated[int, Field(ge=0, le=events.MAX_SLOTS)] | None = None
    wants: Annotated[list[IdRef], AfterValidator(events.check_unique)] | None = None
    avoids: Annotated[list[IdRef], AfterValidator(events.check_unique)] | None = None


class MeetingProps(Props):
    slot: SlotIndex
    table: Annotated[int, Field(ge=1, le=events.MAX_TABLES)]
    status: Literal["proposed", "accepted", "declined"]
    value: Annotated[float, Field(ge=0)] | None = None
    reasons: list[str] | None = None


NODE_PROPS: dict[Label, type[Props]] = {
    Label.CITY: CityProps,
    Label.PROVIDER: ProviderProps,
    Label.SOLUTION: SolutionProps,
    Label.MEMBER: MemberProps,
    Label.TOPIC: TopicProps,
    Label.KPI: KPIProps,
    Label.SDG: SDGProps,
    Label.COUNTRY: CountryProps,
    Label.API_KEY: ReferenceProps,
    Label.EVENT: EventProps,
    Label.MEETING: MeetingProps,
}

REL_PROPS: dict[RelType, type[Props]] = {
    RelType.IMPLEMENTED: ImplementedProps,
    RelType.PRIORITIZES: PrioritizesProps,
    RelType.NEEDS: NeedsProps,
    RelType.EXPERT_IN: ExpertInProps,
    RelType.WORKS_FOR: WorksForProps,
    RelType.ADVISED: AdvisedProps,
    RelType.OFFERS: OffersProps,
    RelType.MEASURES: MeasuresProps,
    RelType.FEEDBACK: FeedbackProps,
    RelType.ATTENDS: AttendsProps,
}


# --------------------------------------------------------------------------- validation


@cache
def reference_labels() -> dict[str, Label]:
    """Id -> label of every built-in reference node (SDGs, countries, U4SSC KPIs)."""
    return {node_id: Label(label) for node_id, label, _ in reference.reference_nodes()}


def check_id(value: Any, what: str = "id") -> str:
    """Return ``value`` if it is a valid node id, else raise :class:`InvalidInput`."""
    if not isinstance(value, str):
        raise InvalidInput(f"'{what}' must be a string, got {_type_name(value)}")
    if not ID_PATTERN.fullmatch(value):
        raise InvalidInput(
            f"'{what}' {value[:140]!r} is not a valid id: use 1 to 128 characters from "
            "A-Z a-z 0-9 . _ : -"
        )
    return value


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", bool: "a boolean", str: "a string"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def check_property_names(props: dict[str, Any]) -> None:
    """Reject property names that are reserved or not ``[A-Za-z_][A-Za-z0-9_]{0,63}``."""
    for key in props:
        if key in RESERVED_NAMES:
            raise InvalidInput(f"'{key}' is reserved and cannot be a property name")
        if not isinstance(key, str) or not PROPERTY_NAME.fullmatch(key):
            raise InvalidInput(
                f"property name {str(key)[:70]!r} is not allowed: use letters, digits and _ "
                "(at most 64, not starting with a digit)"
            )


def _check_scalar(key: str, value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(
            f"property '{key}' is {value!r}: numbers must be finite (no NaN or Infinity)"
        )
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise InvalidInput(f"property '{key}' is too large for a 64-bit integer")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput(
                f"property '{key}' contains a lone surrogate (e.g. \\udfff), which is not "
                "valid Unicode: send the character as one code point or a surrogate pair"
            ) from None


def check_property_values(props: dict[str, Any]) -> None:
    """Reject values the interchange format does not allow: null, objects, mixed or nested
    lists, NaN and ±Infinity, integers beyond 64 bits and strings that are not Unicode."""
    for key, value in props.items():
        if value is None:
            raise InvalidInput(f"property '{key}' is null: omit the key instead")
        if isinstance(value, dict):
            raise InvalidInput(
                f"property '{key}' is a nested object, which is not allowed: "
                "flatten it into separate properties"
            )
        if isinstance(value, list):
            kinds = {"string" if isinstance(v, str) else "number" for v in value
                     if isinstance(v, str | int | float) and not isinstance(v, bool)}
            if len(kinds) != 1 and value or any(
                isinstance(v, bool | dict | list) or v is None for v in value
            ):
                raise InvalidInput(
                    f"property '{key}' must be a list of strings or a list of numbers, "
                    "not a mix or nested values"
                )
            for v in value:
                _check_scalar(key, v)
        else:
            _check_scalar(key, value)


def _format_validation_error(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"] if not isinstance(x, int))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "missing":
            parts.append(f"missing required property '{loc}'")
        elif e["type"] == "literal_error":
            parts.append(f"property '{loc}': {msg} (got {e.get('input')!r})")
        else:
            parts.append(f"property '{loc}': {msg} (got {e.get('input')!r})")
    return "; ".join(parts)


def validate_props(model: type[Props], props: dict[str, Any]) -> dict[str, Any]:
    check_property_values(props)
    try:
        model.model_validate(props)
    except ValidationError as e:
        raise InvalidInput(_format_validation_error(e)) from None
    return props


def validate_reference_id(node_id: str, label: Label) -> None:
    prefix = {Label.SDG: "sdg:", Label.COUNTRY: "country:", Label.KPI: "kpi:"}[label]
    if not node_id.startswith(prefix):
        raise InvalidInput(f"a {label.value} id must start with '{prefix}' (got '{node_id}')")
    if label is Label.SDG and node_id not in reference_labels():
        raise InvalidInput(f"'{node_id}' is not an SDG: the ids are sdg:1 to sdg:17")
    if label is Label.COUNTRY:
        _check_country_id(node_id)


def _check_country_id(node_id: str) -> None:
    try:
        _check_country(node_id.removeprefix("country:"))
    except ValueError as e:
        raise InvalidInput(str(e)) from None


def parse_label(value: Any) -> Label:
    try:
        label = Label(value)
    except ValueError:
        label = None
    if label is None or label in INTERNAL_LABELS:
        allowed = ", ".join(x.value for x in Label if x not in INTERNAL_LABELS)
        raise InvalidInput(f"unknown label {value!r}: use one of {allowed}")
    return label


_REL_TYPES: dict[Any, RelType] = {t.value: t for t in RelType}


def parse_rel_type(value: Any, *, dataset: bool = True) -> RelType:
    t = _REL_TYPES.get(value) if isinstance(value, str) else None
    if t is None or (dataset and t in ENGINE_TYPES):
        allowed = ", ".join(x.value for x in RelType if x not in DERIVED_TYPES | ENGINE_TYPES)
        raise InvalidInput(f"unknown relationship type {value!r}: use one of {allowed}")
    if dataset and t in DERIVED_TYPES:
        raise InvalidInput(
            "LOCATED_IN is derived from the 'country' property and must not be given: "
            "remove this line and set 'country' on the node instead"
        )
    return t


def node_from_json(obj: Any) -> Node:
    """Validate one interchange node object and return it as a :class:`Node`."""
    if not isinstance(obj, dict):
        raise InvalidInput(f"a node must be a JSON object, got {_type_name(obj)}")
    if "id" not in obj:
        raise InvalidInput("missing 'id'")
    if "label" not in obj:
        raise InvalidInput("missing 'label'")
    node_id = check_id(obj["id"])
    label = parse_label(obj["label"])
    props = {k: v for k, v in obj.items() if k not in ("id", "label")}
    check_property_names(props)
    model = NODE_PROPS[label]
    if label in REFERENCE_LABELS:
        validate_reference_id(node_id, label)
        if label is Label.KPI and node_id in reference_labels():
            # A built-in KPI: the dataset may add properties without restating the name.
            model = BuiltinKPIProps
    validate_props(model, props)
    if label is Label.CITY and props.get("part_of") == node_id:
        raise InvalidInput(f"'part_of' of '{node_id}' names the city itself: give the id of "
                           "the city it belongs to, or leave 'part_of' out")
    return Node(node_id, label, props)


def rel_from_json(obj: Any) -> Rel:
    """Validate one interchange relationship object (endpoints are checked by the caller)."""
    if not isinstance(obj, dict):
        raise InvalidInput(f"a relationship must be a JSON object, got {_type_name(obj)}")
    for key in ("type", "from", "to"):
        if key not in obj:
            raise InvalidInput(f"missing '{key}'")
    rel_type = parse_rel_type(obj["type"])
    src = check_id(obj["from"], "from")
    dst = check_id(obj["to"], "to")
    props = {k: v for k, v in obj.items() if k not in ("type", "from", "to")}
    check_property_names(props)
    model = REL_PROPS.get(rel_type)
    if model is not None or props:
        validate_props(model or Props, props)
    return Rel(rel_type, src, dst, props)


def check_endpoints(rel: Rel, src_label: Label, dst_label: Label) -> None:
    """Raise :class:`InvalidInput` if the endpoint labels do not fit the type."""
    allowed_from, allowed_to = ENDPOINTS[rel.type]
    if src_label not in allowed_from:
        want = " or ".join(sorted(x.value for x in allowed_from))
        raise InvalidInput(
            f"{rel.type.value} must start at a {want}, but '{rel.src}' is a {src_label.value}"
        )
    if dst_label not in allowed_to:
        want = " or ".join(sorted(x.value for x in allowed_to))
        raise InvalidInput(
            f"{rel.type.value} must end at a {want}, but '{rel.dst}' is a {dst_label.value}"
        )
