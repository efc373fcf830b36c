"""Hand-written outage-head examples: service failures told through their symptoms, and the complaints that are not.

Labelling rule (the same question as the power-outage labels: would the on-call engineer want it counted?):
- 1: the post says a service is failing now (or failed just now and is not fixed) for its author or for others,
  whether or not it says "down" or "outage": being logged out over and over, logins refused, payments or transfers
  failing or stuck, an error code or error screen, a black or blank screen, a device or account shown offline,
  no signal or connection, messages or notifications not arriving, nothing loading.
- 0: complaints about anything but the service working (prices, staff, refunds, a late delivery, a single billing
  mistake), failures already over or fixed, "down" in other senses (shares down, feeling down, downtown), planned
  maintenance notices, hypotheticals, advice and how-tos, questions about features, praise.
Every sentence here was written for this file. Symptoms and look-alikes share their words on purpose, so the head
learns the difference from tense, negation and topic rather than from vocabulary. These rows train the heads only
(classifiers.train); the shipped LoRA adapter was fine-tuned without them (classifiers.finetune.build_sets).
"""

from __future__ import annotations

import random

BRANDS = ("@acme", "@zetabank", "@northtel", "@quickpay", "@streamly", "@voltaenergia", "@bancasole", "@retemobile")
SVC_EN = ("the app", "your app", "the website", "online banking", "the mobile app", "my account", "the portal",
          "the streaming app", "the customer area")
SVC_IT = ("l'app", "il sito", "l'home banking", "l'area clienti", "l'applicazione", "il portale", "l'app della banca")
NOW_EN = ("", "", "since this morning", "for the last hour", "again", "all evening", "since 8", "today", "right now")
NOW_IT = ("", "", "da stamattina", "dall'ora di pranzo", "di nuovo", "da ieri sera", "da un'ora", "oggi", "adesso")
CODES = ("503", "500", "E-1042", "0x80070005", "AUTH_FAILED", "502", "ERR_CONNECTION_RESET", "E17", "code 9001")

SYMPTOM_EN = (
    "{s} logs me out every couple of minutes {t}", "logged out of {s} five times in the last hour",
    "{s} keeps kicking me back to the login screen", "every card payment fails with 'transaction declined' {t}",
    "payments are bouncing on {s}, tried three cards", "my transfer has been stuck on pending {t}",
    "getting error {c} every time I open {s}", "{s} just shows {c} and nothing else",
    "{s} opens to a black screen {t}", "black screen on {s}, sound but no picture",
    "{s} says my device is offline but it's plugged in and on", "all my cameras show offline in {s} {t}",
    "no signal at all {t}, phone says emergency calls only", "zero bars in the whole neighbourhood {t}",
    "notifications stopped arriving {t}", "messages stuck on one tick {t}, nothing gets delivered",
    "the OTP code never arrives so I can't get into {s}", "verification texts aren't coming through {t}",
    "{s} spins forever on the loading wheel", "pages on {s} come up blank {t}",
    "login fails with 'something went wrong, try later' {t}", "password is right but {s} rejects it {t}",
    "contactless is refused at every till {t}", "the ATM says 'service temporarily unavailable'",
    "{s} crashes the second I open it {t}", "the TV box is stuck on the boot logo {t}",
    "{s} shows my balance as 0.00 and no transactions", "orders won't submit, the button does nothing {t}",
    "calls drop after ten seconds {t}", "internet light blinking red on the router {t}",
    "smart meter display gone blank and the app shows no data {t}", "video buffers forever, even at 480p {t}",
    "checkout errors out at the last step {t}", "can't top up, the payment page times out",
    "the whole office lost access to {s} at the same moment", "my colleagues and I all get {c} on {s}",
    "direct debits bounced {t} and {s} won't tell me why", "the card reader says 'host unavailable' on every sale",
    "two-factor prompts never show up {t}", "uploads sit at 99% and then fail {t}",
)
SYMPTOM_IT = (
    "{s} mi butta fuori ogni due minuti {t}", "mi ha disconnesso da {s} cinque volte in un'ora",
    "ogni pagamento con carta viene rifiutato {t}", "il bonifico è fermo in lavorazione {t}",
    "{s} mi dà errore {c} appena lo apro", "su {s} compare solo la scritta errore {c}",
    "schermo nero su {s} {t}", "{s} si apre su una schermata nera e resta lì",
    "{s} dice che il dispositivo è offline ma è acceso", "tutte le telecamere risultano offline {t}",
    "nessun segnale {t}, il telefono dice solo chiamate di emergenza", "zero tacche in tutto il quartiere {t}",
    "le notifiche non arrivano più {t}", "i messaggi restano con una spunta sola {t}",
    "il codice OTP non arriva e non entro in {s}", "{s} resta a caricare all'infinito",
    "le pagine di {s} sono bianche {t}", "password giusta ma {s} la rifiuta {t}",
    "il POS dice 'host non raggiungibile' a ogni pagamento", "{s} si chiude appena lo apro {t}",
    "il decoder è bloccato sul logo {t}", "{s} mi mostra saldo zero e nessun movimento",
    "la ricarica fallisce sempre all'ultimo passaggio {t}", "le chiamate cadono dopo dieci secondi {t}",
    "il modem lampeggia rosso {t} e niente internet", "il video si blocca di continuo {t}",
    "il bancomat dice 'servizio momentaneamente non disponibile'", "in ufficio siamo tutti bloccati fuori da {s}",
    "i pagamenti contactless non passano {t}", "l'ordine non parte, il pulsante non fa niente {t}",
    "l'upload arriva al 99% e poi fallisce {t}", "la pagina di pagamento va in timeout {t}",
    "il contatore non comunica e {s} non mostra dati {t}", "mi chiede di rifare l'accesso ogni volta che cambio pagina",
)
SYMPTOM_OTHER = (  # es, de, fr, pt
    "la app me cierra la sesión cada dos minutos", "todos los pagos con tarjeta salen rechazados desde esta mañana",
    "pantalla negra en el decodificador desde anoche", "la transferencia lleva horas pendiente y no sale",
    "die App wirft mich ständig raus, seit heute früh", "Kartenzahlung wird überall abgelehnt, Fehler 05",
    "Router zeigt offline und kein Empfang im ganzen Viertel", "Überweisung hängt seit Stunden auf 'in Bearbeitung'",
    "l'appli me déconnecte toutes les deux minutes", "écran noir sur la box depuis ce matin",
    "les paiements par carte sont refusés partout ce soir", "plus aucune notification depuis hier soir",
    "o app me desloga toda hora desde cedo", "pix travado em processamento há duas horas",
    "tela preta no aplicativo, não passa do logo", "sem notificações desde ontem, nada chega",
)

NOT_EN = (
    "{s} is fine but your prices went up again, not happy", "the guy at the counter was really rude to me",
    "still waiting for my refund after three weeks", "my parcel is four days late and tracking hasn't moved",
    "you billed me twice last month, please fix it", "my bill had a wrong charge, support sorted it in the end",
    "{s} logged me out yesterday but it's been fine since the update",
    "payments failed for an hour last night, all good now",
    "the black screen issue on {s} is fixed, thanks for the quick work", "signal is back, thank you",
    "notifications are arriving again, whatever you did worked", "yesterday's error {c} is gone, works perfectly now",
    "shares are down 4% after the results", "feeling a bit down today, need coffee",
    "meeting a friend downtown later", "prices finally went down, nice", "slow down, read the terms first",
    "planned maintenance on {s} tonight from 1 to 3am", "heads up: {s} will be offline on Sunday for upgrades",
    "if {s} ever logs you out, clear the cache and log in again",
    "what would happen if payments failed on Black Friday?",
    "tip: note down your backup codes in case the OTP never arrives", "how do I turn on notifications in {s}?",
    "does {s} have a dark mode?", "can I pay with Apple Pay on {s}?", "is there a way to export transactions from {s}?",
    "love the new look of {s}", "{s} is so much faster since the last update, great job",
    "why is the monthly fee higher than what I signed up for?", "the delivery driver left my box in the rain",
    "your hold music is driving me crazy", "the new plan is a rip-off compared to the old one",
    "I was charged a late fee by mistake once, otherwise happy", "what does error {c} mean? just curious, it works",
    "I dreamt {s} went down and nobody could pay, glad it was a dream",
    "remember when {s} crashed for a whole day in 2019?",
    "we're hiring engineers to keep {s} running", "article: how banks keep card payments up during peaks",
    "my old router kept showing offline, the new one is perfect", "the black screen in that film was a bold choice",
)
NOT_IT = (
    "{s} funziona ma avete aumentato di nuovo i prezzi", "l'operatore al telefono è stato scortese",
    "aspetto ancora il rimborso da tre settimane", "il pacco è in ritardo di quattro giorni",
    "mi avete addebitato due volte la bolletta del mese scorso",
    "errore in fattura, per fortuna l'assistenza l'ha corretto",
    "ieri {s} mi buttava fuori ma con l'aggiornamento è tutto a posto",
    "stanotte i pagamenti non passavano, ora tutto ok",
    "risolto il problema dello schermo nero, grazie", "il segnale è tornato, grazie mille",
    "le notifiche arrivano di nuovo, grazie", "l'errore {c} di ieri è sparito, va benissimo",
    "il titolo è giù del 4% dopo i conti", "oggi sono un po' giù di morale", "ci vediamo in centro più tardi",
    "manutenzione programmata di {s} stanotte dalle 2 alle 4",
    "avviso: domenica {s} non sarà disponibile per aggiornamenti",
    "se {s} vi butta fuori, svuotate la cache e rientrate", "cosa succederebbe se i pagamenti si bloccassero a Natale?",
    "consiglio: salvate i codici di backup nel caso l'OTP non arrivi", "come si attivano le notifiche su {s}?",
    "{s} ha la modalità scura?", "si può pagare con Satispay su {s}?", "come esporto i movimenti da {s}?",
    "bella la nuova grafica di {s}", "{s} è molto più veloce dopo l'aggiornamento, bravi",
    "perché il canone è più alto di quello concordato?", "il corriere ha lasciato il pacco sotto la pioggia",
    "la musica d'attesa è insopportabile", "la nuova offerta è peggio della vecchia",
    "vi ricordate quando {s} è rimasto giù un giorno intero nel 2019?",
    "il vecchio modem andava sempre offline, il nuovo è perfetto",
    "cerchiamo tecnici per far funzionare {s} ogni giorno", "quel film con lo schermo nero per dieci minuti, che noia",
)
NOT_OTHER = (  # es, de, fr, pt
    "¿cómo activo las notificaciones en la app?", "ayer no funcionaban los pagos, hoy todo bien",
    "die Preise sind schon wieder gestiegen", "Wartungsarbeiten am Sonntag von 2 bis 4 Uhr",
    "le livreur est arrivé avec deux jours de retard", "l'action a baissé de 3% aujourd'hui",
    "o atendente foi muito grosseiro comigo", "ontem o app travou mas já voltou ao normal",
)
FRAMES_EN = ("{x}", "{b} {x}", "{x}. anyone else?", "{b} {x}, what is going on?", "ugh, {x}", "{x} 😩",
             "{x} - reinstalled twice, same thing", "so {x}. brilliant.", "{b} hello? {x}", "is it only me? {x}",
             "{x}!! I need this working", "wife's phone too: {x}")
FRAMES_IT = ("{x}", "{b} {x}", "{x}. solo a me?", "{b} {x}, che succede?", "uffa, {x}", "{x} 😤",
             "{x}, ho già reinstallato", "{b} ma {x}?", "anche a voi {x}?", "{x}!! mi serve adesso")
FRAMES_NOT_EN = ("{x}", "{b} {x}", "{x} 🙂", "{x}.", "{b} {x}!", "ugh, {x}", "{b} {x}, seriously?", "{x}. anyone else?",
                 "{x} 🙄")
FRAMES_NOT_IT = ("{x}", "{b} {x}", "{x} 🙂", "{x}.", "{b} {x}!", "uffa, {x}", "{b} {x}, davvero?", "{x}. anche voi?",
                 "{x} 🙄")


_IT_JOINS = (("su il ", "sul "), ("da il ", "dal "), ("su l'", "sull'"), ("da l'", "dall'"), ("di il ", "del "),
             ("di l'", "dell'"), ("su lo ", "sullo "),
             ("in il ", "nel "), ("in l'", "nell'"))


def _fill(rng: random.Random, pattern: str, services: tuple[str, ...], times: tuple[str, ...]) -> str:
    text = pattern.format(s=rng.choice(services), t=rng.choice(times), c=rng.choice(CODES))
    text = " ".join(text.split()).replace(" ,", ",")
    for loose, joined in _IT_JOINS:  # Italian articles merge with prepositions: "su il sito" -> "sul sito"
        text = text.replace(loose, joined)
    return text


def _rows(rng: random.Random, clauses: tuple[str, ...], frames: tuple[str, ...], services: tuple[str, ...],
          times: tuple[str, ...], per_clause: int) -> list[str]:
    out = []
    for clause in clauses:
        for _ in range(per_clause):
            body = _fill(rng, clause, services, times)
            text = rng.choice(frames).format(x=body, b=rng.choice(BRANDS))
            out.append(text[0].upper() + text[1:] if rng.random() < 0.4 else text)
    return out


def symptom_examples(seed: int = 29, per_clause: int = 3) -> tuple[list[str], list[int]]:
    """Symptom-told service outages (1) and non-outage complaints and look-alikes (0), deduplicated, seeded."""
    rng = random.Random(seed)
    tables = ((SYMPTOM_EN, FRAMES_EN, SVC_EN, NOW_EN, per_clause, 1),
              (SYMPTOM_IT, FRAMES_IT, SVC_IT, NOW_IT, per_clause, 1),
              (SYMPTOM_OTHER, ("{x}", "{b} {x}"), SVC_EN, ("",), 2, 1),
              (NOT_EN, FRAMES_NOT_EN, SVC_EN, NOW_EN, per_clause, 0),
              (NOT_IT, FRAMES_NOT_IT, SVC_IT, NOW_IT, per_clause, 0),
              (NOT_OTHER, ("{x}", "{b} {x}"), SVC_EN, ("",), 2, 0))
    seen: set[str] = set()
    texts: list[str] = []
    labels: list[int] = []
    for clauses, frames, services, times, per, label in tables:
        for text in _rows(rng, clauses, frames, services, times, per):
            if text.lower() not in seen:
                seen.add(text.lower())
                texts.append(text)
                labels.append(label)
    return texts, labels
