"""Simulated people and their accounts on each network: names, handles, ids, followers, habits."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

FIRST = {
    "en": ["James", "Emma", "Oliver", "Sophie", "Jack", "Chloe", "Harry", "Megan", "Liam", "Grace", "Noah", "Amy",
           "Ethan", "Holly", "Ryan", "Zoe", "Sam", "Kate", "Dan", "Lucy", "Tom", "Ellie", "Ben", "Hannah", "Mike",
           "Jess", "Aidan", "Priya", "Chris", "Nadia"],
    "it": ["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Martina", "Davide",
           "Elena", "Simone", "Valentina", "Andrea", "Federica", "Lorenzo", "Alice", "Giorgio", "Silvia", "Paolo",
           "Irene", "Stefano", "Anna", "Riccardo", "Laura", "Fabio", "Marta", "Nicola", "Serena", "Pietro"],
}
LAST = {
    "en": ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walsh", "Murphy", "Clarke", "Hughes", "Green",
           "Patel", "Wright", "Hall", "Wood", "Kelly", "Byrne", "Turner", "Cooper", "Ward", "Khan", "Reid"],
    "it": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
           "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Giordano", "Mancini", "Rizzo", "Lombardi", "Moretti",
           "Barbieri", "Fontana"],
}
NICK = ["night_owl", "coffeeaddict", "pixel", "foodie", "runner", "gamer", "bookworm", "dad_of_3", "mum_life",
        "techie", "traveller", "viaggiatrice", "cuoco", "pendolare", "sognatore", "tifoso"]
DECOR = ["", "", "", "", " 🌻", " 🇮🇹", " 🇬🇧", " ☕", " 🏃", " 🎧", " ✈️"]
INSTANCES = {"en": ["mastodon.social", "mstdn.social", "fosstodon.org", "mastodon.online"],
             "it": ["mastodon.uno", "livellosegreto.it", "mastodon.social", "sociale.network"]}
B32 = "234567abcdefghijklmnopqrstuvwxyz"
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(slots=True)
class Account:
    """One account of a person on one network."""

    source: str
    id: str
    handle: str
    name: str | None
    followers: int | None
    instance: str | None = None

    def to_json(self) -> dict[str, object]:
        """The mention format's `author` object."""
        out: dict[str, object] = {"id": self.id, "handle": self.handle}
        if self.name is not None:
            out["name"] = self.name
        if self.followers is not None:
            out["followers"] = self.followers
        return out


@dataclass(slots=True)
class Person:
    """Someone who talks about a brand: their language, home network, reach and kind (casual, fan)."""

    pid: int
    lang: str
    home: str
    base: str
    display: str
    followers: int
    kind: str = "casual"
    accounts: dict[str, Account] = field(default_factory=dict)


def _lognormal_int(rng: random.Random, median: float, sigma: float, cap: int) -> int:
    """A heavy-tailed count (followers) with the given median."""
    return min(cap, int(math.exp(rng.gauss(math.log(median), sigma))))


class People:
    """Creates people on demand and their accounts on each network; handles stay unique."""

    def __init__(self, rng: random.Random, sources: dict[str, float]) -> None:
        self.rng = rng
        self.sources = sources
        self.count = 0
        self.taken: set[str] = set()

    def new(self, lang: str, kind: str = "casual", home: str | None = None) -> Person:
        """A new person writing in `lang`."""
        rng = self.rng
        self.count += 1
        first, last = rng.choice(FIRST[lang]), rng.choice(LAST[lang])
        base = self._unique_base(first, last)
        display = rng.choice([f"{first} {last}", first, f"{first} {last[0]}.", f"{first[0]}. {last}",
                              first.lower()]) + rng.choice(DECOR)
        median, sigma = (6000, 0.8) if kind == "fan" else (180, 1.5)
        followers = _lognormal_int(rng, median, sigma, 400_000)
        if home is None:
            home = rng.choices(list(self.sources), weights=list(self.sources.values()))[0]
        return Person(self.count, lang, home, base, display, followers, kind)

    def _unique_base(self, first: str, last: str) -> str:
        rng = self.rng
        f, s = first.lower(), last.lower().replace(" ", "")
        for _ in range(20):
            base = rng.choice([f"{f}{s}", f"{f}_{s}", f"{f}{s[0]}{rng.randint(1, 99)}", f"{f[0]}{s}",
                               f"{f}.{s}", f"{rng.choice(NICK)}{rng.randint(1, 999)}", f"{f}_{rng.randint(70, 2005)}",
                               f"the{f}{s[:3]}"])[:15].rstrip("._")
            if base not in self.taken:
                self.taken.add(base)
                return base
        base = f"{f}{self.count}"
        self.taken.add(base)
        return base

    def account(self, person: Person, source: str) -> Account:
        """The person's account on `source`, created the first time it is used."""
        found = person.accounts.get(source)
        if found is None:
            found = person.accounts[source] = self._make_account(person, source)
        return found

    def _make_account(self, person: Person, source: str) -> Account:
        rng = self.rng
        followers = person.followers if source == person.home else int(person.followers * rng.uniform(0.05, 0.6))
        base = person.base
        if source == "x":
            return Account(source, str(rng.randrange(10**8, 10**18)), base.replace(".", "_"), person.display,
                           followers)
        if source == "bluesky":
            did = "did:plc:" + "".join(rng.choice(B32) for _ in range(24))
            return Account(source, did, base.replace("_", "").replace(".", "") + ".bsky.social", person.display,
                           followers)
        if source == "mastodon":
            instance = rng.choice(INSTANCES[person.lang])
            return Account(source, str(rng.randrange(10**17, 10**18)), f"{base.replace('.', '_')}@{instance}",
                           person.display, followers, instance)
        # Reddit shows neither a display name nor a follower count for commenters.
        name = rng.choice([base.replace(".", "_"), base.title().replace(".", "_"),
                           f"{base.replace('.', '')}{rng.randint(1, 9999)}", f"throwaway_{rng.randint(1000, 99999)}"])
        return Account(source, "t2_" + "".join(rng.choice(B36) for _ in range(8)), name, None, None)
