"""`{{random 'Name.first_name'}}`: a small stand-in for WireMock's Faker extension.

WireMock's Docker samples use the Faker extension's `random` helper; these lists cover its
common keys so such stubs render here too. Values come from the server's seeded generator.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from mockserver.respond.templating.values import HelperError, text_of

_FIRST = ("Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances",
          "Donald", "Edsger", "Radia", "Tim", "Katherine", "John", "Sophie", "Guido", "Anita")
_LAST = ("Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson",
         "Allen", "Knuth", "Dijkstra", "Perlman", "Berners-Lee", "Johnson", "Backus", "Wilson",
         "van Rossum", "Borg")
_COUNTRIES = ("United Kingdom", "France", "Germany", "Spain", "Italy", "Netherlands", "Sweden",
              "Norway", "Poland", "Portugal", "Ireland", "Canada", "Japan", "Brazil", "Kenya",
              "Australia", "India", "Mexico")
_CODES = ("GB", "FR", "DE", "ES", "IT", "NL", "SE", "NO", "PL", "PT", "IE", "CA", "JP", "BR",
          "KE", "AU", "IN", "MX")
_CITIES = ("London", "Paris", "Berlin", "Madrid", "Rome", "Amsterdam", "Stockholm", "Oslo",
           "Warsaw", "Lisbon", "Dublin", "Toronto", "Tokyo", "Sao Paulo", "Nairobi", "Sydney",
           "Mumbai", "Mexico City")
_STREETS = ("High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue",
            "Queen Street", "King Street", "Market Place")
_COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne")
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
          "juliet", "kilo", "lima")


def make_random(rng: random.Random) -> Callable[[object], str]:
    """The `random` helper bound to `rng`."""

    def pick(options: tuple[str, ...]) -> str:
        return rng.choice(options)

    def first() -> str:
        return pick(_FIRST)

    def last() -> str:
        return pick(_LAST)

    generators: dict[str, Callable[[], str]] = {
        "name.first_name": first,
        "name.last_name": last,
        "name.full_name": lambda: f"{first()} {last()}",
        "name.name": lambda: f"{first()} {last()}",
        "name.username": lambda: f"{first().lower()}.{last().lower().replace(' ', '')}",
        "address.country": lambda: pick(_COUNTRIES),
        "address.country_code": lambda: pick(_CODES),
        "address.city": lambda: pick(_CITIES),
        "address.street_address": lambda: f"{rng.randint(1, 250)} {pick(_STREETS)}",
        "address.zip_code": lambda: f"{rng.randint(10000, 99999)}",
        "internet.email_address": lambda: (
            f"{first().lower()}.{last().lower().replace(' ', '')}@example.com"),
        "phone_number.phone_number": lambda: f"+44 20 {rng.randint(1000, 9999)} "
                                             f"{rng.randint(1000, 9999)}",
        "company.name": lambda: f"{pick(_COMPANIES)} {pick(('Ltd', 'Inc', 'GmbH', 'plc'))}",
        "lorem.word": lambda: pick(_WORDS),
    }

    def random_fake(key: object) -> str:
        """A plausible value for a Faker key such as `Name.first_name` or `Address.city`."""
        name = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", text_of(key).strip()).lower()
        name = name.replace("phonenumber.", "phone_number.")
        if name not in generators:
            raise HelperError(f"random: unknown key {text_of(key)!r} (known: "
                              f"{', '.join(sorted(generators))})")
        return generators[name]()

    return random_fake
