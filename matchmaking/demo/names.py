"""Invented but plausible names: people, providers, product brands; and id slugs.

The name tables are ``matchmaking/demo/data/names.json``.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from matchmaking.demo.catalogue import load_data

_NAMES = load_data("names")
#: First and last names per name language.
_FIRST: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _NAMES["first"].items()}
_LAST: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _NAMES["last"].items()}
#: The name table used for a language without its own.
_NAME_LANG_ALIAS: dict[str, str] = dict(_NAMES["language_alias"])
_ROOTS: tuple[str, ...] = tuple(_NAMES["brand_roots"])
_ENDINGS: tuple[str, ...] = tuple(_NAMES["brand_endings"])
#: Legal form of a company per country.
_LEGAL: dict[str, str] = dict(_NAMES["legal_forms"])
#: How an organisation names its smart city wheel field.
_FIELDS: dict[str, str] = dict(_NAMES["fields"])


def slugify(text: str) -> str:
    """Lower-case ASCII slug of ``text`` with ``-`` separators (may be empty)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def name_language(language: str) -> str:
    """The name table used for people who speak ``language``."""
    lang = _NAME_LANG_ALIAS.get(language, language)
    return lang if lang in _FIRST else "en"


def person_name(rng: np.random.Generator, language: str) -> tuple[str, str]:
    """Draw a (first name, last name) pair typical for ``language``."""
    lang = name_language(language)
    first = _FIRST[lang]
    last = _LAST[lang]
    return first[int(rng.integers(len(first)))], last[int(rng.integers(len(last)))]


def brand(rng: np.random.Generator) -> str:
    """An invented brand such as ``Voltflow`` or ``Civiwise``."""
    root = _ROOTS[int(rng.integers(len(_ROOTS)))]
    end = _ENDINGS[int(rng.integers(len(_ENDINGS)))]
    return root + end


def provider_name(
    rng: np.random.Generator, kind: str, country: str, category: str, city: str
) -> str:
    """An invented organisation name fitting its kind and country.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    kind : str
        ``company``, ``startup``, ``research``, ``ngo`` or ``public``.
    country : str
        ISO alpha-2 code (selects the legal form).
    category : str
        Main smart city wheel field of the organisation.
    city : str
        Home city name, used by research, NGO and public bodies.
    """
    field = _FIELDS[category]
    if kind == "research":
        form = (
            "{city} Institute for {field}",
            "{city} Urban {field} Lab",
            "Centre for {field} Research {city}",
            "{city} University of Applied Sciences",
        )
        return form[int(rng.integers(len(form)))].format(city=city, field=field)
    if kind == "ngo":
        form = (
            "{brand} Foundation",
            "{field} Alliance {city}",
            "{brand} Collective",
            "Friends of {city} {field}",
        )
        return form[int(rng.integers(len(form)))].format(brand=brand(rng), city=city, field=field)
    if kind == "public":
        form = (
            "{city} Municipal Services",
            "{city} Innovation Agency",
            "Public {field} Company {city}",
            "{city} Regional Development Agency",
        )
        return form[int(rng.integers(len(form)))].format(city=city, field=field)
    name = brand(rng)
    if kind == "company" and rng.random() < 0.5:
        name = f"{name} {field.split(' &')[0]}"
    legal = _LEGAL.get(country)
    if kind == "company" and legal:
        name = f"{name} {legal}"
    return name
