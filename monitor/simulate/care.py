"""The brand's care team in a generated stream: it answers a share of the complaints and questions, some late.

Only scenarios that ask for it get these replies (the demo): the others keep the public's voice alone, so the
detector benchmarks read the same streams as before. Replies have their own random stream, so the public posts of
a scenario are the same with or without them.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from monitor.simulate.brands import BrandSpec
from monitor.simulate.ids import post_id
from monitor.simulate.people import Account

ANSWER_SHARE = {"x": 0.7, "bluesky": 0.5, "reddit": 0.35}
"""Share of original complaints and questions answered per network (Mastodon replies are not simulated)."""
MEDIAN_MINUTES, LOG_SD = 35.0, 1.0
OUTAGE_SLOWDOWN = 3.0
"""During an outage or a campaign the team is swamped: answers take this many times longer."""
MAX_MINUTES = 16 * 60.0
SEQ_BASE = 0x300000
"""Reply ids are drawn from a sequence space the public posts of a generated day do not reach."""
REPLIES = {
    "en": ("sorry to hear that! Could you DM us your account email so we can look into it?",
           "thanks for flagging this, we're checking it now and will get back to you here.",
           "hi, sorry for the trouble. Please send us a DM with your order number and we'll sort it out.",
           "happy to help! You'll find the steps in the app under Settings > Help; DM us if you get stuck."),
    "it": ("ci dispiace! Puoi scriverci in DM l'email del tuo account così verifichiamo?",
           "grazie per la segnalazione, stiamo controllando e ti aggiorniamo qui.",
           "ciao, scusaci per il disagio. Mandaci in DM il numero d'ordine e risolviamo.",
           "volentieri! Trovi i passaggi nell'app in Impostazioni > Aiuto; scrivici in DM se resti bloccato."),
}


AGENTS = {"en": ("Anna", "Marco", "Sara"), "it": ("Giulia", "Luca")}
"""The agents who sign the replies ("... ^Anna"), by the brand's main language."""
PERSONAL = {"Marco", "Luca"}
"""These two greet people by name; the others paste the same few answers."""
GREETING = {"en": "Hi {}, ", "it": "Ciao {}, "}


def care_account(brand: BrandSpec, source: str) -> Account:
    """The brand's care account on a network (its last listed handle, e.g. @AcmeHelp)."""
    name = brand.handles[-1].lstrip("@")
    handle = f"{name.lower()}.bsky.social" if source == "bluesky" else name
    ident = f"did:plc:care{name.lower()}" if source == "bluesky" else f"care-{name.lower()}-{source}"
    return Account(source, ident, handle, f"{brand.names[0]} Care", None if source == "reddit" else 25_000)


def _ms(mention: dict[str, Any]) -> int:
    return round(datetime.fromisoformat(mention["created_at"]).timestamp() * 1000)


def _reply(brand: BrandSpec, mention: dict[str, Any], at_ms: int, seq: int, rng: random.Random,
           voice: random.Random) -> dict[str, Any]:
    """The care team's answer to one mention, in its language (the brand's main one when the post has none), signed
    by one of its agents (drawn from `voice`, so the replies' times and texts do not depend on who signs)."""
    source = mention["source"]
    account = care_account(brand, source)
    main = max(brand.langs, key=brand.langs.__getitem__)
    lang = mention.get("lang") or main
    text = rng.choice(REPLIES.get(lang, REPLIES["en"]))
    agent = voice.choice(AGENTS.get(main, AGENTS["en"]))
    name = str(mention["author"].get("name") or "").split(" ")[0]
    if agent in PERSONAL and name:
        text = GREETING.get(lang, GREETING["en"]).format(name) + text
    text = f"{text} ^{agent}"
    if source != "reddit":
        text = f"@{mention['author']['handle']} {text}"
    ident, url = post_id(account, at_ms, SEQ_BASE + seq)
    return {"id": ident, "source": source,
            "created_at": datetime.fromtimestamp(at_ms / 1000, UTC).isoformat(timespec="milliseconds"),
            "text": text, "author": account.to_json(), "url": url, "brand": brand.name, "lang": lang,
            "in_reply_to": mention["id"], "brand_reply": True,
            "sim": {"intent": "care_reply", "form": "reply", "topic": None, "sentiment": "neutral"}}


def with_care_replies(stream: Iterator[dict[str, Any]], brands: list[BrandSpec], end: datetime,
                      seed: str) -> Iterator[dict[str, Any]]:
    """The stream with the care team's replies merged in, in created_at order; none after `end`."""
    rng, voice = random.Random(f"{seed}:care"), random.Random(f"{seed}:care-agents")
    by_name = {b.name: b for b in brands}
    end_ms = round(end.timestamp() * 1000)
    due: list[tuple[int, int, dict[str, Any]]] = []
    seq = 0
    for mention in stream:
        at = _ms(mention)
        while due and due[0][0] <= at:
            yield heapq.heappop(due)[2]
        yield mention
        sim, brand = mention.get("sim", {}), by_name.get(mention.get("brand", ""))
        if brand is None or sim.get("intent") not in ("complaint", "question") or sim.get("form") != "original":
            continue
        if rng.random() >= ANSWER_SHARE.get(mention["source"], 0.0):
            continue
        minutes = MEDIAN_MINUTES * math.exp(rng.gauss(0.0, LOG_SD))
        if sim.get("event") is not None:
            minutes *= OUTAGE_SLOWDOWN
        reply_ms = at + round(min(minutes, MAX_MINUTES) * 60_000)
        if reply_ms <= end_ms:
            heapq.heappush(due, (reply_ms, seq, _reply(brand, mention, reply_ms, seq, rng, voice)))
            seq += 1
    while due:
        yield heapq.heappop(due)[2]
