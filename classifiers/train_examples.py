"""Hand-written training examples in English and Italian (our own text), expanded from templates with a fixed seed."""

from __future__ import annotations

import random

SUBJECTS_EN = ("the app", "the website", "your site", "login", "checkout", "the mobile app", "my account page",
               "the payment page", "online banking", "the streaming service", "wifi", "my internet", "the network")
SUBJECTS_IT = ("l'app", "il sito", "il login", "l'home banking", "la rete", "internet", "il wifi", "l'applicazione",
               "la pagina dei pagamenti", "il servizio", "lo streaming", "la fibra", "il mio account")
SINCE_EN = ("since this morning", "for an hour", "again", "all day", "since 9am", "right now", "for two hours", "")
SINCE_IT = ("da stamattina", "da un'ora", "di nuovo", "da ieri sera", "da due ore", "ancora", "adesso", "")

OUTAGE_EN = (
    "{s} is down {t}", "{s} not working {t}", "is {s} down for anyone else?", "{s} keeps crashing {t}",
    "can't log in, {s} is broken {t}", "{s} has been down {t}, what is going on", "error 503 on {s} {t}",
    "{s} outage {t}, nothing loads", "{s} won't load {t}", "{s} is dead {t} #down", "total outage: {s} {t}",
    "still no service {t}, {s} unreachable", "anyone else getting errors on {s}? down {t}",
)
OUTAGE_IT = (
    "{s} non funziona {t}", "{s} è down {t}", "{s} non va {t}", "non riesco ad accedere, {s} è bloccato {t}",
    "ma {s} è giù? non carica niente {t}", "errore 500 su {s} {t}", "disservizio: {s} fuori uso {t}",
    "{s} non risponde {t}", "{s} in tilt {t}", "{s} non si apre {t}, che succede?", "{s} è morto {t} #down",
    "nessuna connessione {t}, {s} irraggiungibile",
)
NOT_OUTAGE_EN = (
    "{s} works great, thanks", "how do I change my password on {s}?", "{s} is too expensive", "love the new {s}",
    "{s} was down yesterday but it works fine now", "scheduled maintenance tonight, {s} may be unavailable",
    "I hope {s} never goes down", "prices went down, nice", "feeling a bit down today", "{s} got a new design",
    "when will {s} support dark mode?", "is {s} available in Canada?", "the update to {s} is back up and running",
    "tips: what to do if {s} ever stops working", "customer service fixed my problem with {s} in minutes",
)
NOT_OUTAGE_IT = (
    "{s} funziona benissimo, grazie", "come si cambia la password su {s}?", "{s} costa troppo", "adoro {s} nuovo",
    "ieri {s} non andava ma ora è tutto ok", "manutenzione programmata stanotte, {s} potrebbe non essere disponibile",
    "spero che {s} non si blocchi mai", "i prezzi sono scesi, bene", "oggi mi sento giù", "{s} ha una nuova grafica",
    "quando arriva la modalità scura su {s}?", "{s} è disponibile anche all'estero?", "risolto, {s} è tornato a posto",
    "consigli: cosa fare se {s} smette di funzionare", "l'assistenza ha risolto il problema con {s} in pochi minuti",
)
INTENT_EN = {
    "complaint": (
        "worst customer service ever, {s} charged me twice", "I've been waiting three weeks for a refund, ridiculous",
        "your support never answers, very disappointed", "{s} is so slow it's useless", "you lost my order again",
        "terrible experience with {s}, never again", "why do you keep raising prices? unacceptable",
        "nobody replied to my emails, shame on you", "the bill is wrong and no one helps me",
    ),
    "praise": (
        "thank you so much, great service", "{s} is amazing, love it", "your support team was fantastic today",
        "best experience ever with {s}", "kudos to the team, super fast delivery", "really happy with {s}, thanks!",
        "you guys rock, problem solved in minutes", "excellent service as always", "love the new {s}, well done",
    ),
    "other": (
        "does {s} work abroad?", "new article about {s} on the blog", "I'm at the airport, flight at 6",
        "what time does the store open?", "{s} announced a new plan today", "following you now", "see you there",
        "watching the game tonight", "just signed up for {s}", "how do I update {s}?",
    ),
}
INTENT_IT = {
    "complaint": (
        "servizio clienti pessimo, {s} mi ha addebitato due volte", "aspetto il rimborso da tre settimane, vergogna",
        "il vostro supporto non risponde mai, molto deluso", "{s} è lentissimo, inutilizzabile",
        "avete perso di nuovo il mio ordine", "esperienza terribile con {s}, mai più",
        "bolletta sbagliata e nessuno mi aiuta",
        "perché aumentate sempre i prezzi? inaccettabile", "nessuno ha risposto alle mie mail, vergognatevi",
    ),
    "praise": (
        "grazie mille, servizio fantastico", "{s} è fantastico, lo adoro", "il vostro supporto è stato bravissimo oggi",
        "esperienza ottima con {s}", "complimenti al team, consegna velocissima", "davvero contento di {s}, grazie!",
        "siete grandi, problema risolto in pochi minuti", "servizio eccellente come sempre", "bravi, {s} nuovo è top",
    ),
    "other": (
        "{s} funziona anche all'estero?", "nuovo articolo su {s} nel blog", "sono in aeroporto, volo alle 6",
        "a che ora apre il negozio?", "{s} ha annunciato un nuovo piano oggi", "ti seguo", "ci vediamo lì",
        "stasera guardo la partita", "mi sono appena iscritto a {s}", "come si aggiorna {s}?",
    ),
}


def _expand(templates: tuple[str, ...], subjects: tuple[str, ...], times: tuple[str, ...], rng: random.Random,
            per_template: int) -> list[str]:
    out = []
    for template in templates:
        for _ in range(per_template):
            text = template.format(s=rng.choice(subjects), t=rng.choice(times)).replace("  ", " ").strip()
            out.append(text[0].upper() + text[1:] if rng.random() < 0.5 else text)
    return out


def outage_examples(seed: int = 13, per_template: int = 6) -> tuple[list[str], list[int]]:
    """Service-outage reports (1) and look-alikes that are not (0), English and Italian."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[int] = []
    tables = ((OUTAGE_EN, SUBJECTS_EN, SINCE_EN, 1), (OUTAGE_IT, SUBJECTS_IT, SINCE_IT, 1),
              (NOT_OUTAGE_EN, SUBJECTS_EN, SINCE_EN, 0), (NOT_OUTAGE_IT, SUBJECTS_IT, SINCE_IT, 0))
    for templates, subjects, times, label in tables:
        batch = _expand(templates, subjects, times, rng, per_template)
        texts += batch
        labels += [label] * len(batch)
    return texts, labels


def intent_examples(seed: int = 17, per_template: int = 4) -> tuple[list[str], list[str]]:
    """Complaint, praise and other examples (outage reports count as complaints here), English and Italian."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    for table, subjects, times in ((INTENT_EN, SUBJECTS_EN, SINCE_EN), (INTENT_IT, SUBJECTS_IT, SINCE_IT)):
        for label, templates in table.items():
            batch = _expand(templates, subjects, times, rng, per_template)
            texts += batch
            labels += [label] * len(batch)
    outages, flags = outage_examples(seed, 2)
    texts += [t for t, f in zip(outages, flags, strict=True) if f]
    labels += ["complaint"] * sum(flags)
    return texts, labels
