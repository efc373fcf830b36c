"""The fictional brands of the scenarios: volume, audience, topics and their own words in each language."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BrandSpec:
    """One simulated brand: how much it is talked about, by whom, where, and with which words."""

    name: str
    handles: tuple[str, ...]
    names: tuple[str, ...]
    daily_volume: float
    langs: dict[str, float]
    sources: dict[str, float]
    complaint_topics: dict[str, float]
    outage_topics: tuple[str, ...]
    promo: str
    utc_shift_hours: float = 0.0
    fans: int = 12
    subreddits: tuple[str, ...] = ("r/all",)
    slots: dict[str, dict[str, list[str]]] = field(default_factory=dict)


ACME = BrandSpec(
    name="Acme",
    handles=("@acme", "@acme", "@acme", "@acmehelp", "@Acme", "@AcmeHelp"),
    names=("Acme", "Acme", "acme", "ACME"),
    daily_volume=3000.0,
    langs={"en": 0.7, "it": 0.3},
    sources={"x": 0.5, "bluesky": 0.2, "mastodon": 0.1, "reddit": 0.2},
    complaint_topics={"delivery": 0.25, "payments": 0.15, "billing": 0.12, "app": 0.12, "login": 0.1,
                      "website": 0.08, "any": 0.18},
    outage_topics=("login", "payments", "app", "website"),
    promo="#AcmeSpring",
    fans=12,
    subreddits=("r/acme", "r/AskUK", "r/personalfinance", "r/mildlyinfuriating", "r/italy", "r/ItalyInformatica"),
    slots={
        "en": {
            "purchase": ["order", "order", "purchase", "grocery order", "takeaway order"],
            "bill": ["invoice", "Acme Plus renewal", "monthly statement", "subscription"],
            "good_thing": ["delivered in under an hour", "refund sorted in 5 minutes", "the new app is so smooth",
                           "courier was super kind", "split the bill with friends in two taps",
                           "groceries arrived early and perfectly packed", "support actually solved my problem"],
            "q_body": ["how do I change the delivery address on an order?", "is there a way to export my invoices?",
                       "do you ship to {place}?", "how do I reset my password?", "does Acme Pay work with Revolut?",
                       "when does the spring sale start?", "can I pause my Acme Plus subscription?",
                       "how do I add a second card?", "what time do deliveries stop on Sundays?"],
            "chatter": ["just ordered dinner on {Bn}, let's see how fast it is",
                        "{Bn} ad on TV again", "{Bn} or the competition, which one do you use?",
                        "reading about {Bn} opening a warehouse near {place}", "my mum finally installed {Bn}",
                        "paid my share of the rent on {Bn}, so much easier than bank transfers",
                        "{Bn} van parked outside again, half the street orders from them",
                        "thinking of switching my groceries to {Bn}"],
            "place": ["Leeds", "Dublin", "Bristol", "Glasgow", "Boston", "Milan", "Cork", "Lisbon", "Malta"],
            "deal": ["20% off", "free delivery for a month", "a €10 voucher", "2 months of Acme Plus free"],
            "share_text": ["I just joined #AcmeSpring on Acme! Get 20% off your first order: acme.example/spring"],
        },
        "it": {
            "il_purchase": ["l'ordine", "l'ultimo ordine", "la spesa", "l'ordine di ieri"],
            "la_bill": ["la fattura", "la fattura del mese", "la fattura di Acme Plus"],
            "good_thing": ["consegna in meno di un'ora", "rimborso in 5 minuti", "la nuova app è fluidissima",
                           "corriere gentilissimo", "spesa arrivata in anticipo e imballata benissimo",
                           "l'assistenza mi ha risolto tutto"],
            "q_body": ["come cambio l'indirizzo di consegna di un ordine?", "come scarico le fatture?",
                       "spedite anche a {place}?", "come si reimposta la password?",
                       "quando parte il saldo di primavera?", "posso sospendere l'abbonamento Acme Plus?",
                       "come aggiungo una seconda carta?"],
            "chatter": ["ho appena ordinato la cena su {Bn}, vediamo quanto ci mette",
                        "pubblicità di {Bn} ovunque oggi", "qualcuno usa {Bn} per la spesa?",
                        "{Bn} apre un magazzino vicino a {place}, dicono",
                        "mia mamma ha finalmente installato {Bn}"],
            "place": ["Bari", "Cagliari", "Trento", "Palermo", "Bologna", "Torino", "Napoli", "Verona"],
            "deal": ["il 20% di sconto", "consegna gratis per un mese", "un buono da 10€"],
            "share_text_it": ["Mi sono iscritto a #AcmeSpring su Acme! 20% di sconto sul primo ordine: "
                              "acme.example/spring"],
        },
    },
)

VOLTA = BrandSpec(
    name="Volta",
    handles=("@volta_it", "@volta_it", "@Volta_IT"),
    names=("Volta Energia", "Volta Energia", "volta energia", "VOLTA ENERGIA"),
    daily_volume=600.0,
    langs={"it": 0.85, "en": 0.15},
    sources={"x": 0.55, "bluesky": 0.1, "mastodon": 0.15, "reddit": 0.2},
    complaint_topics={"billing": 0.35, "payments": 0.15, "app": 0.15, "login": 0.12, "website": 0.08, "any": 0.15},
    outage_topics=("login", "app", "website"),
    promo="#VoltaVerde",
    utc_shift_hours=6.0,
    fans=4,
    subreddits=("r/italy", "r/ItalyInformatica", "r/Italia", "r/commercialisti"),
    slots={
        "en": {
            "purchase": ["bill", "monthly bill"],
            "bill": ["energy bill", "bill", "gas bill"],
            "good_thing": ["switched my contract in 5 minutes", "the bill is finally readable",
                           "support sorted my meter reading fast"],
            "q_body": ["how do I send a meter reading?", "can I pay the bill in instalments?",
                       "do you supply businesses in {place}?", "where do I find my contract number?"],
            "chatter": ["{Bn} sponsoring the marathon in {place} this year",
                        "comparing {Bn} with my old supplier, numbers look ok"],
            "place": ["Milan", "Turin", "Bologna", "Florence"],
            "deal": ["a month of free green energy", "€30 off the first bill"],
            "share_text": ["I switched to green energy with #VoltaVerde! volta.example/verde"],
        },
        "it": {
            "il_purchase": ["la bolletta", "l'ultima bolletta", "la rata"],
            "la_bill": ["la bolletta", "la bolletta del gas", "la bolletta della luce"],
            "good_thing": ["cambio contratto in 5 minuti", "bolletta finalmente chiara",
                           "l'assistenza mi ha sistemato la lettura del contatore",
                           "operatrice gentilissima al telefono"],
            "q_body": ["come invio l'autolettura?", "posso rateizzare la bolletta?",
                       "fornite anche aziende a {place}?", "dove trovo il codice cliente?",
                       "come attivo la bolletta via mail?"],
            "chatter": ["{Bn} sponsor della maratona di {place} quest'anno",
                        "sto confrontando {Bn} con il mio vecchio fornitore",
                        "spot di {Bn} in tv, carino"],
            "place": ["Milano", "Torino", "Bologna", "Firenze", "Padova"],
            "deal": ["un mese di energia verde gratis", "30€ di sconto sulla prima bolletta"],
            "share_text_it": ["Sono passato all'energia verde con #VoltaVerde! volta.example/verde"],
        },
    },
)

BRANDS: dict[str, BrandSpec] = {b.name: b for b in (ACME, VOLTA)}
