"""Invented but plausible names: people, providers, product brands; and id slugs."""

from __future__ import annotations

import re
import unicodedata

import numpy as np

# fmt: off
_FIRST: dict[str, tuple[str, ...]] = {
    "en": (
        "James", "Emma", "Oliver", "Sophie", "Daniel", "Grace", "Thomas", "Hannah", "Samuel",
        "Chloe", "Michael", "Laura", "David", "Rachel", "Ben", "Amy", "Joseph", "Lucy",
    ),
    "de": (
        "Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Tobias", "Julia", "Stefan", "Katrin",
        "Matthias", "Sabine", "Florian", "Lena", "Andreas", "Miriam",
    ),
    "fr": (
        "Louis", "Camille", "Hugo", "Chloé", "Julien", "Manon", "Nicolas", "Claire", "Antoine",
        "Léa", "Mathieu", "Élodie", "Pierre", "Inès", "Thibault", "Margaux",
    ),
    "es": (
        "Javier", "Lucía", "Pablo", "María", "Alejandro", "Carmen", "Diego", "Sofía", "Sergio",
        "Elena", "Carlos", "Paula", "Andrés", "Marta", "Raúl", "Isabel",
    ),
    "it": (
        "Marco", "Giulia", "Luca", "Francesca", "Matteo", "Chiara", "Andrea", "Sara", "Davide",
        "Elisa", "Lorenzo", "Valentina", "Simone", "Federica",
    ),
    "pt": (
        "João", "Ana", "Pedro", "Mariana", "Tiago", "Beatriz", "Rui", "Inês", "Miguel", "Carolina",
        "Bruno", "Rita", "Gabriel", "Larissa",
    ),
    "nl": (
        "Daan", "Sanne", "Bram", "Lotte", "Thijs", "Femke", "Jeroen", "Anouk", "Ruben", "Eva",
        "Joost", "Marloes", "Wouter", "Ilse",
    ),
    "pl": (
        "Piotr", "Anna", "Tomasz", "Katarzyna", "Michał", "Agnieszka", "Paweł", "Magdalena",
        "Krzysztof", "Joanna", "Marcin", "Ewa",
    ),
    "sv": (
        "Erik", "Elin", "Johan", "Sara", "Anders", "Maja", "Oskar", "Karin", "Nils", "Ebba", "Lars",
        "Ingrid",
    ),
    "da": (
        "Mads", "Freja", "Rasmus", "Ida", "Søren", "Mette", "Jens", "Louise",
    ),
    "no": (
        "Ola", "Nora", "Henrik", "Ingrid", "Sindre", "Kari", "Eirik", "Silje",
    ),
    "fi": (
        "Mikko", "Aino", "Juha", "Laura", "Antti", "Sanna", "Ville", "Tiina",
    ),
    "cs": (
        "Jan", "Tereza", "Petr", "Lucie", "Martin", "Kateřina", "Tomáš", "Eva",
    ),
    "el": (
        "Giorgos", "Maria", "Nikos", "Eleni", "Dimitris", "Katerina", "Kostas", "Sofia",
    ),
    "ro": (
        "Andrei", "Ioana", "Mihai", "Elena", "Alexandru", "Andreea", "Radu", "Cristina",
    ),
    "hu": (
        "Bence", "Anna", "Gábor", "Eszter", "Péter", "Zsófia", "László", "Réka",
    ),
    "tr": (
        "Mehmet", "Ayşe", "Emre", "Zeynep", "Can", "Elif", "Burak", "Selin",
    ),
    "ru": (
        "Dmitry", "Anastasia", "Sergei", "Olga", "Alexei", "Irina", "Ivan", "Natalia",
    ),
    "uk": (
        "Oleksandr", "Olena", "Andriy", "Iryna", "Taras", "Oksana", "Bohdan", "Kateryna",
    ),
    "ar": (
        "Ahmed", "Fatima", "Omar", "Layla", "Youssef", "Amina", "Karim", "Nour",
    ),
    "hi": (
        "Arjun", "Priya", "Rahul", "Ananya", "Vikram", "Kavya", "Rohan", "Meera",
    ),
    "zh": (
        "Wei", "Li", "Jun", "Mei", "Hao", "Xin", "Lei", "Yan",
    ),
    "ja": (
        "Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Takumi", "Sakura",
    ),
    "ko": (
        "Minjun", "Seoyeon", "Jiho", "Jiwoo", "Hyun", "Soyeon",
    ),
    "sw": (
        "Baraka", "Amani", "Juma", "Neema", "Kamau", "Wanjiru", "Otieno", "Achieng",
    ),
}
_LAST: dict[str, tuple[str, ...]] = {
    "en": (
        "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Hughes", "Clarke",
        "Wright", "Hall", "Green", "Baker", "Turner", "Murphy", "Campbell",
    ),
    "de": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann",
        "Koch", "Richter", "Klein", "Wolf", "Neumann", "Braun",
    ),
    "fr": (
        "Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefèvre", "Garnier",
        "Fontaine", "Rousseau", "Girard", "Morel", "Mercier",
    ),
    "es": (
        "García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Fernández", "Ruiz", "Díaz",
        "Moreno", "Jiménez", "Navarro", "Romero", "Torres",
    ),
    "it": (
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
        "Greco", "Bruno", "Gallo", "Conti", "Costa",
    ),
    "pt": (
        "Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins",
        "Sousa", "Almeida", "Carvalho", "Gomes",
    ),
    "nl": (
        "de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer",
        "de Boer", "Mulder", "Bos", "Vos",
    ),
    "pl": (
        "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
        "Zieliński", "Szymański", "Woźniak",
    ),
    "sv": (
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Lindberg",
    ),
    "da": (
        "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    ),
    "no": (
        "Hansen", "Johansen", "Olsen", "Berg", "Haugen", "Bakken", "Lie",
    ),
    "fi": (
        "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Heikkinen",
    ),
    "cs": (
        "Novák", "Svoboda", "Novotný", "Dvořák", "Černý", "Procházka", "Kučera",
    ),
    "el": (
        "Papadopoulos", "Georgiou", "Nikolaidis", "Ioannou", "Konstantinou", "Pappas",
    ),
    "ro": (
        "Popescu", "Ionescu", "Popa", "Stan", "Dumitru", "Constantin", "Marin",
    ),
    "hu": (
        "Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss",
    ),
    "tr": (
        "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın",
    ),
    "ru": (
        "Ivanov", "Smirnov", "Kuznetsov", "Popov", "Vasiliev", "Petrov", "Sokolov",
    ),
    "uk": (
        "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk",
    ),
    "ar": (
        "Haddad", "Mansour", "Khalil", "Saleh", "Nasser", "Hassan", "Aziz", "Farouk",
    ),
    "hi": (
        "Sharma", "Patel", "Singh", "Gupta", "Kumar", "Reddy", "Iyer", "Nair",
    ),
    "zh": (
        "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu",
    ),
    "ja": (
        "Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto",
    ),
    "ko": (
        "Kim", "Lee", "Park", "Choi", "Jung", "Kang",
    ),
    "sw": (
        "Mwangi", "Odhiambo", "Njoroge", "Kariuki", "Mutua", "Wanjala", "Okoth",
    ),
}
_NAME_LANG_ALIAS: dict[str, str] = {
    "nb": "no", "nn": "no", "ca": "es", "gl": "es", "eu": "es", "lb": "de", "sk": "cs", "be": "ru",
    "ur": "hi", "bn": "hi", "ms": "en", "id": "en", "tl": "en", "af": "en", "zu": "sw", "rw": "sw",
    "ga": "en", "mt": "it", "sr": "cs", "hr": "cs", "sl": "cs", "bg": "ru", "fa": "ar", "he": "ar",
}
_ROOTS: tuple[str, ...] = (
    "Urban", "Civi", "Metro", "Terra", "Aqua", "Volt", "Geo", "Flux", "Nova", "Smart", "Green",
    "Grid", "Data", "Polis", "Sense", "Clear", "Blue", "Hydro", "Agora", "Move", "Via", "Lumen",
    "Eco", "Nexus", "Orbit", "Pulse", "Sol", "Arbor", "Kinetic", "Open", "Vita", "Helio", "Cita",
    "Urbi", "Sky", "River", "North", "Bright",
)
_ENDINGS: tuple[str, ...] = (
    "ly", "io", "ix", "a", "on", "ra", "wise", "flow", "labs", "tec", "works", "metrics", "scape",
    "sys", "loop", "hub", "ova", "net", "line", "ware", "bit", "grid", "path", "field",
)
_LEGAL: dict[str, str] = {
    "DE": "GmbH", "AT": "GmbH", "CH": "AG", "FR": "SAS", "NL": "B.V.", "BE": "NV", "ES": "S.L.",
    "IT": "S.r.l.", "SE": "AB", "DK": "ApS", "NO": "AS", "FI": "Oy", "PL": "Sp. z o.o.",
    "PT": "Lda.", "GB": "Ltd", "IE": "Ltd", "US": "Inc.", "CA": "Inc.", "AU": "Pty Ltd",
    "CZ": "s.r.o.", "GR": "S.A.", "BR": "Ltda.", "MX": "S.A. de C.V.",
}
_FIELDS: dict[str, str] = {
    "mobility": "Mobility", "environment": "Energy & Environment",
    "government": "Digital Government", "living": "Urban Living", "people": "Inclusion",
    "economy": "Economic Development",
}
# fmt: on


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
