"""Italian template grammar: slots and templates per kind and topic, written for the simulator."""

from __future__ import annotations

# Same slot contract as grammar_en. Non-outage kinds never use outage phrases ("non funziona", "è giù", "è down",
# "non riesco ad accedere", "solo a me"). Brand slots with an article ({il_purchase}, {la_bill}) agree in gender.
SLOTS: dict[str, list[str]] = {
    "ancora": ["", "", " di nuovo", " ANCORA", " ancora?!", " di nuovo..."],
    "annoy": ["Che nervi.", "Assurdo.", "Ogni santo giorno.", "Sistemate per favore.", "Ma dai!", "Basta.",
              "Vergognatevi.", "Non ci siamo.", "Incredibile.", "Ma è possibile?", ""],
    "da": ["da un'ora", "da stamattina", "da 20 minuti", "da pranzo", "da mezz'ora", "da ore", "dalle 14"],
    "need": ["devo pagare una cosa urgente", "devo fare un ordine", "mi serve la ricevuta per lavoro",
             "devo controllare il mio ordine", "devo mandare soldi oggi"],
    "see": ["resta in caricamento", "mostra una pagina bianca", "va in timeout", "dà errore 503",
            "dà errore 502", "si blocca sulla schermata iniziale", "dice 'si è verificato un errore'"],
    "fail_tag": ["", "", "", " #fail", " #disservizio", " #disservizio"],
    "emo_neg": ["😡", "🙄", "😤", "😩", "🤦", "👎", "😠", "💀", "😒", ""],
    "emo_pos": ["❤️", "🙌", "😍", "👏", "🔥", "✨", "💯", "🥰", "😊", "👍", ""],
    "emo_neu": ["🤔", "👀", "😅", "🙂", "", ""],
    "wait": ["due settimane", "10 giorni", "un mese", "3 settimane", "lunedì scorso", "5 giorni lavorativi"],
    "hold": ["45 minuti in attesa", "un'ora al telefono", "tre chat", "due mail e un DM",
             "20 minuti in coda in chat"],
    "thanks": ["grazie", "grazie mille", "grazie davvero", "mille grazie"],
    "wow": ["davvero bravi", "top", "10 e lode", "fantastici", "niente da dire", "che spettacolo"],
    "same": ["anche a me", "idem", "pure io", "+1", "stessa cosa", "uguale"],
}

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "outage": {
        "any": [
            "{B} non funziona{ancora}? {emo_neg}{fail_tag}",
            "ma {Bn} è giù anche per voi?{fail_tag}",
            "{Bn} è down{ancora} {emo_neg}",
            "{B} è giù {da}. {annoy}",
            "{Bn} non funziona e {need}. {annoy}",
            "solo a me {Bn} non funziona? {emo_neg}",
            "{B} è down? non va niente {da}{fail_tag}",
            "{Bn} è giù{ancora}?? {emo_neg}",
        ],
        "login": [
            "non riesco ad accedere a {Bn} {da}. solo a me?",
            "{B} non riesco ad accedere, il login {see} {emo_neg}",
            "{B} il login non funziona{ancora}. {annoy}",
            "non riesco ad accedere a {B} né da app né da sito, è giù?",
            "{B} il codice di verifica non arriva, non riesco ad accedere {emo_neg}",
        ],
        "payments": [
            "{B} i pagamenti non funzionano, il pagamento {see} {emo_neg}",
            "non riesco a pagare con {Bn}, è giù?{fail_tag}",
            "{B} pagamento con carta non funziona {da}. {annoy}",
            "{B} il checkout non funziona{ancora}, {need} {emo_neg}",
        ],
        "app": [
            "{B} l'app non funziona, {see} {emo_neg}",
            "l'app di {Bn} è giù{ancora}{fail_tag}",
            "{B} app down {da}, non funziona niente",
            "{B} l'app è down, {annoy}",
        ],
        "website": [
            "{B} il sito non funziona, {see}{fail_tag}",
            "il sito di {Bn} è giù {da} {emo_neg}",
            "{B} sito down{ancora}. {annoy}",
        ],
    },
    "complaint": {
        "any": [
            "{B} {hold} e ancora nessuna risposta. {annoy}",
            "{B} il vostro servizio clienti risponde con messaggi copia-incolla che non risolvono nulla {emo_neg}",
            "{B} vi ho scritto in DM due volte, zero risposte. {annoy}",
            "peggior assistenza di sempre {B} {emo_neg}",
            "{B} parlare con una persona vera è impossibile?",
            "{B} avete chiuso la mia segnalazione senza risolvere niente. {annoy}",
            "{B} che delusione ultimamente {emo_neg}",
        ],
        "login": [
            "{B} perché devo cambiare password ogni settimana? {annoy}",
            "{B} il codice via SMS arriva dopo secoli, sempre {emo_neg}",
            "{B} dopo l'aggiornamento mi fa rifare il login ogni giorno. {annoy}",
        ],
        "payments": [
            "{B} mi avete addebitato due volte {il_purchase}, aspetto ancora il rimborso {emo_neg}",
            "{B} rimborso promesso da {wait}, ancora niente. {annoy}",
            "{B} perché il pagamento è ancora in sospeso dopo 3 giorni?",
        ],
        "app": [
            "{B} la nuova app è pessima, non trovo più niente {emo_neg}",
            "{B} l'app mi scarica la batteria da quando l'avete aggiornata",
            "{B} basta notifiche inutili dall'app. {annoy}",
            "{B} l'app è lentissima dopo il restyling {emo_neg}",
        ],
        "website": [
            "{B} il sito è lentissimo, 5 minuti per aprire una pagina {emo_neg}",
            "{B} il sito mi chiede l'indirizzo a ogni ordine. {annoy}",
        ],
        "delivery": [
            "{B} il pacco è in ritardo di 4 giorni e il tracking è fermo {emo_neg}",
            "{B} il corriere dice consegnato ma a casa non c'è niente. {annoy}",
            "{B} fascia 9-13, non è passato nessuno{ancora} {emo_neg}",
            "{B} metà ordine mancante e il resto schiacciato #delusione",
        ],
        "billing": [
            "{B} perché mi addebitate un abbonamento che ho disdetto?",
            "{B} {la_bill} ha di nuovo costi nascosti {emo_neg}",
            "{B} {la_bill} è raddoppiata e nessuno sa spiegarmi perché. {annoy}",
        ],
    },
    "praise": {
        "any": [
            "{thanks} {B}! {good_thing} {emo_pos}",
            "{B} {good_thing}, {wow} {emo_pos}",
            "assistenza di {Bn} gentilissima, risolto in 5 minuti {emo_pos}",
            "{Bn} sempre il top {emo_pos}",
            "{B} siete grandi {emo_pos}",
            "lo devo dire: {good_thing}. {thanks} {B} {emo_pos}",
            "cliente {Bn} da anni e sempre soddisfatto {emo_pos}",
        ],
    },
    "question": {
        "any": [
            "{B} {q_body}",
            "ciao {B}, {q_body}",
            "domanda per {B}: {q_body}",
            "{q_body} {B} {emo_neu}",
            "qualcuno sa dirmi: {q_body} {B}",
        ],
    },
    "other": {
        "any": [
            "{chatter}",
            "{chatter} {emo_neu}",
            "{chatter} ahah",
        ],
    },
    "promo_praise": {
        "any": [
            "appena preso {deal} con {promo} {emo_pos}",
            "{promo} è partito e le offerte sono buone davvero {B} {emo_pos}",
            "preso l'offerta {promo}, {wow} {emo_pos}",
            "{B} con {promo} ho risparmiato parecchio, {thanks}! {emo_pos}",
        ],
    },
    "promo_other": {
        "any": [
            "{share_text_it}",
            "{promo} ovunque oggi sul feed",
            "visto lo spot {promo} di {Bn}? {emo_neu}",
            "{promo} parte oggi, {deal} da {Bn}",
        ],
    },
    "promo_question": {
        "any": [
            "{B} {promo} vale anche per chi è già cliente?",
            "{B} fino a quando dura {promo}?",
            "{B} posso usare {promo} insieme al mio buono?",
        ],
    },
    "recovery": {
        "any": [
            "{B} adesso va, {thanks} per averlo sistemato",
            "ok {Bn} è tornato {emo_neu}",
            "{Bn} di nuovo online. un'ora persa {emo_neu}",
        ],
    },
    "reply_outage": {
        "any": [
            "{same}, {Bn} non funziona neanche qui",
            "{same}, è giù anche per me {emo_neg}",
            "{same}. non riesco ad accedere nemmeno io",
        ],
        "login": [
            "{same}, non riesco ad accedere nemmeno io {emo_neg}",
            "{same}. il login non funziona neanche qui",
        ],
        "payments": [
            "{same}, i pagamenti non funzionano neanche a me",
            "{same}. il checkout è giù anche qui {emo_neg}",
        ],
        "app": [
            "{same}, l'app non funziona neanche a me",
            "{same}. app giù anche qui {emo_neg}",
        ],
        "website": [
            "{same}, il sito è giù anche per me",
            "{same}. il sito non funziona neanche qui",
        ],
    },
    "reply_complaint": {
        "any": [
            "{same}, è successo pure a me con {Bn}. {annoy}",
            "{same} {emo_neg} {Bn} non risponde mai",
        ],
    },
    "reply_question": {
        "any": [
            "lo trovi nell'app sotto Impostazioni > Account, a me ha funzionato",
            "l'ho chiesto anche io a {Bn}, dicono che è sul sito {emo_neu}",
        ],
    },
    "reply_praise": {
        "any": [
            "{same}, con {Bn} mi trovo benissimo {emo_pos}",
            "confermo, {wow} {emo_pos}",
        ],
    },
}
