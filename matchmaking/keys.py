"""API keys: roles, creation, revocation, listing and the secret check.

A key looks like ``mm_<key_id>_<secret>``. Only the SHA-256 hex digest of the secret is
stored, in the graph store itself, as an internal ``ApiKey`` node with id
``apikey:<key_id>`` and the properties ``hash``, ``role``, ``subject`` (for the bound roles),
``name``, ``created``, ``revoked`` and optionally ``expires`` (an ISO 8601 UTC time after
which the key is refused). Deleting a key's subject revokes the key
(:func:`revoke_subject_keys`). Verification compares digests with
:func:`hmac.compare_digest`. The full key is shown once, at creation, and never stored or
logged.

Roles: ``admin`` and ``staff`` are not bound to an object; ``city``, ``member`` and
``provider`` are bound to one City, Member or Provider id (their ``subject``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from graph_schema.errors import InvalidInput, NotFound
from graph_schema.schema import Label, Node
from graph_schema.store import GraphStore

PREFIX = "mm"


class Role(StrEnum):
    """What an API key may do; the one home of the role names (API, CLI, key store).

    ``admin`` and ``staff`` are not bound to an object; ``city``, ``member`` and ``provider``
    are bound to the one node of :data:`BOUND_ROLES` ``[role]`` that is the key's subject.

    Examples
    --------
    >>> Role("staff") is Role.STAFF
    True
    >>> [str(r) for r in Role]
    ['admin', 'staff', 'city', 'member', 'provider']
    """

    ADMIN = "admin"
    STAFF = "staff"
    CITY = "city"
    MEMBER = "member"
    PROVIDER = "provider"


#: Roles that may act on every object (the others only on their own subject).
STAFF_ROLES = frozenset({Role.ADMIN, Role.STAFF})
#: The label a bound role's subject must have.
BOUND_ROLES: dict[Role, Label] = {
    Role.CITY: Label.CITY,
    Role.MEMBER: Label.MEMBER,
    Role.PROVIDER: Label.PROVIDER,
}
KEY_PATTERN = re.compile(r"^mm_([0-9a-f]{12})_([A-Za-z0-9_-]{32,128})$")
#: Matches anything that looks like one of our keys, for log redaction.
KEY_LIKE = re.compile(r"mm_[0-9a-f]{12}_[A-Za-z0-9_-]+")
DURATION = re.compile(r"([1-9][0-9]{0,5})([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key, without its secret."""

    key_id: str
    role: str
    subject: str | None
    name: str
    created: str
    revoked: bool
    hash: str
    expires: str | None = None

    def expired(self, now: datetime | None = None) -> bool:
        """Whether the key's ``expires`` time has passed."""
        if not self.expires:
            return False
        try:
            at = datetime.fromisoformat(self.expires)
        except ValueError:  # an unreadable expiry fails closed
            return True
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return (now or datetime.now(UTC)) >= at

    def to_json(self) -> dict[str, Any]:
        """Public fields (never the hash)."""
        return {
            "key_id": self.key_id,
            "role": self.role,
            "subject": self.subject,
            "name": self.name,
            "created": self.created,
            "revoked": self.revoked,
            "expires": self.expires,
        }


def node_id(key_id: str) -> str:
    """The store id of a key's node."""
    return f"apikey:{key_id}"


def digest(secret: str) -> str:
    """SHA-256 hex digest of a key's secret part."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_key(key: str) -> tuple[str, str] | None:
    """Split ``mm_<key_id>_<secret>`` into (key_id, secret); ``None`` if malformed."""
    m = KEY_PATTERN.match(key)
    return (m.group(1), m.group(2)) if m else None


def _from_node(node: Node) -> ApiKey:
    p = node.props
    return ApiKey(
        key_id=node.id.removeprefix("apikey:"),
        role=str(p.get("role", "")),
        subject=p.get("subject") or None,
        name=str(p.get("name", "")),
        created=str(p.get("created", "")),
        revoked=bool(p.get("revoked", False)),
        hash=str(p.get("hash", "")),
        expires=str(p["expires"]) if p.get("expires") else None,
    )


def parse_duration(text: str) -> timedelta:
    """``"90d"``, ``"12h"`` or ``"30m"`` as a :class:`~datetime.timedelta`.

    >>> parse_duration("90d")
    datetime.timedelta(days=90)

    Raises
    ------
    InvalidInput
        For anything else, naming the expected form.
    """
    m = DURATION.fullmatch(str(text).strip())
    if m is None:
        raise InvalidInput(f"bad duration {str(text)[:40]!r}: use a number and a unit, "
                           "d (days), h (hours) or m (minutes), e.g. '90d'")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def create_key(
    store: GraphStore, role: Role | str, subject: str | None = None, name: str = "",
    expires_in: timedelta | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return (its record, the full key to hand out once).

    ``expires_in`` makes the key expire that long after now (it never expires without it).

    Raises
    ------
    InvalidInput
        For an unknown role, a bound role without subject or an unbound one with it.
    NotFound
        When the subject does not exist or has the wrong label.
    """
    if role not in set(Role):
        raise InvalidInput(f"unknown role {role!r}: use one of {', '.join(Role)}")
    role = Role(role)
    want = BOUND_ROLES.get(role)
    if want is None and subject:
        raise InvalidInput(f"role '{role}' is not bound to an object: omit --subject")
    if want is not None:
        if not subject:
            raise InvalidInput(f"role '{role}' needs --subject with a {want.value} id")
        got = store.labels_of([subject]).get(subject)
        if got is not want:
            raise NotFound(f"unknown {want.value.lower()} id '{subject}'")
    if expires_in is not None and expires_in <= timedelta(0):
        raise InvalidInput("the expiry must be in the future")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    props: dict[str, Any] = {
        "hash": digest(secret),
        "role": role.value,
        "name": name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "revoked": False,
    }
    if subject:
        props["subject"] = subject
    if expires_in is not None:
        props["expires"] = (datetime.now(UTC) + expires_in).isoformat(timespec="seconds")
    node = Node(node_id(key_id), Label.API_KEY, props)
    store.write(nodes=[node])
    return _from_node(node), f"{PREFIX}_{key_id}_{secret}"


def revoke_key(store: GraphStore, key_id: str) -> ApiKey:
    """Mark a key revoked (it stays listed); :class:`NotFound` for an unknown key id."""
    key_id = key_id.strip()
    parsed = parse_key(key_id)
    if parsed:  # a full key was given: use its id, never echo the secret
        key_id = parsed[0]
    found = get_key(store, key_id)
    if found is None:
        raise NotFound(f"unknown key id '{key_id[:40]}': see `matchmaking keys list`")
    node = Node(
        node_id(found.key_id),
        Label.API_KEY,
        {"revoked": True, "revoked_at": datetime.now(UTC).isoformat(timespec="seconds")},
    )
    store.write(nodes=[node])
    return ApiKey(**{**_asdict(found), "revoked": True})


def revoke_subject_keys(store: GraphStore, subject: str) -> list[str]:
    """Revoke every unrevoked key bound to ``subject`` (in one write); return their ids."""
    nodes, _ = store.find_nodes(Label.API_KEY, equals={"subject": subject}, limit=100_000)
    found = [k for k in map(_from_node, nodes) if not k.revoked]
    at = datetime.now(UTC).isoformat(timespec="seconds")
    if found:
        store.write(nodes=[
            Node(node_id(k.key_id), Label.API_KEY,
                 {"revoked": True, "revoked_at": at, "revoked_why": "subject deleted"})
            for k in found
        ])
    return [k.key_id for k in found]


def _asdict(key: ApiKey) -> dict[str, Any]:
    return {f: getattr(key, f) for f in ApiKey.__slots__}


def get_key(store: GraphStore, key_id: str) -> ApiKey | None:
    """The stored key with this id, or ``None``."""
    if not re.fullmatch(r"[0-9a-f]{12}", key_id):
        return None
    node = store.get_nodes([node_id(key_id)]).get(node_id(key_id))
    if node is None or node.label is not Label.API_KEY:
        return None
    return _from_node(node)


def list_keys(store: GraphStore) -> list[ApiKey]:
    """Every key (revoked ones too), sorted by key id."""
    return [_from_node(n) for n in store.iter_nodes(Label.API_KEY)]


def check_secret(found: ApiKey, secret: str) -> bool:
    """Constant-time comparison of a secret with the stored digest."""
    return hmac.compare_digest(found.hash, digest(secret))
