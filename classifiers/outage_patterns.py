"""Phrases that report a service as down or broken, in en, it, es, fr, de and pt (folded, accent-free text)."""

from __future__ import annotations

import re

from classifiers.ruleset import GroupSources, RuleSet

# "down" after these words is not about a service ("let me down", "calm down", "sit down", ...).
_NOT_SERVICE_DOWN = "".join(f"(?<!{w} down)" for w in (
    "calm", "sit", "slow", "let me", "let us", "let you", "upside", "back", "look", "looked", "put", "lay", "settle",
    "cool", "turn it", "turned", "thumbs", "touch", "touched", "break", "broke", "up and", "write", "wrote", "step",
    "stepped", "burn", "burned", "shut me", "pin", "track", "hunt", "narrow", "knock", "knocked", "turn me", "hand",
    "hands", "head", "face", "bring", "brought", "water", "tone", "cut", "mark", "marked", "calmed", "sat", "lie",
    "lying", "dress", "scroll", "count", "wind", "wound", "jump", "the way", "deep", "shot", "shut it", "weigh",
    "weighs", "weighed", "fall", "fell", "slowed", "slowing", "get", "got", "gets", "lol"))
_NOT_MOOD_DOWN = "".join(f"(?<!{w} )" for w in (
    "feel", "feels", "feeling", "felt", "bit", "little", "kinda", "kind of", "pretty", "bit of a", "so", "really"))
"""Mood words before "down today" / "down again" ("feeling a bit down today")."""
_FIGURE = r"\d+(?:[.,]\d+)?\s*(?:%|percent|points?|pts)"
"""A figure after "down" is a market or a score ("shares are down 4%"), not a service."""
_LEFT_OF_DOWN = r"(?:\b(?:is|are|was|were|still|goes|gone|been|seems|seem|looks|look|be|being|went|going)|'s|'re)"
_SERVICE = (r"(?:site|website|app|apps|server|servers|system|systems|login|service|services|network|payments?|checkout|"
            r"wifi|internet|platform|portal|api|page|everything|whole\s+thing|feed|timeline|sito|servizio|servizi|"
            r"pagamenti|web|pagina|applicazione|aplicacion|aplicativo|appli|dienst|seite)")
_NOT_OBJECT = (r"(?!(?:let|me|you|us|him|her|them|turned|shot|cut|marked|written|calmed|sat|sit|sitting|slowed|"
               r"shut|broke|broken|put|laid|locked|knocked|stepped|toned|watered|dressed|goals?|points?|runs?)\b)")
_CANT = ("can't cant cannot can unable couldn't couldnt could won't wont able impossible")

# (weight, ((triggers, regex), ...)): a group's weight counts once for its first hit and a share for each further.
OUTAGE_SOURCES: GroupSources = (
    (3.0, (
        # English
        ("down", _LEFT_OF_DOWN + r"\s+(?:" + _NOT_OBJECT + r"[\w']+\s+){0,2}down\b(?!\s+(?:to|with|on|in|by|from|"
         + _FIGURE + r"|the\s+(?:drain|road|street|hall|line|stairs)|there|a\s+lot|payment))"),
        ("down", _NOT_MOOD_DOWN + r"\bdown\s+(?:again|for\s+(?:everyone|anyone|everybody|anybody|me|us|all|hours|days|"
         r"\d+|over|the\s+(?:last|past|whole|entire))|atm|rn|right\s+now|at\s+the\s+moment|currently|today|tonight|"
         r"this\s+(?:morning|evening|afternoon)|here\s+too|too|as\s+well|or\s+(?:is\s+it|just|something|what)|"
         r"everywhere|worldwide|globally|since|completely)\b"),
        ("down", _SERVICE + r"\s+(?:(?:is|are|still|completely|totally|just|went|goes)\s+){0,2}down\b"),
        ("down", r"@\w+\s+(?:(?:is|still|totally|completely)\s+)?down\b"),
        ("down", r"^\W*(?!(?:calm|sit|slow|settle|cool|shut|look|lie|back|upside|get|go|come|turn|step|lay|put|write|"
         r"burn|bring|break|knock|thumbs|hands|face|head|way|deep|prices?|stocks?|shares?)\b)[\w']+\s+down\b(?!\s+"
         r"(?:the\s+drain|to|with|memory|the\s+road))"),
        ("down", r"\bdown" + _NOT_SERVICE_DOWN + r"(?=\s*(?:\?|!|\.\.|$))"),
        r"\b(?:not|isn't|isnt|aren't|arent|ain't|stopped|stop|nothing\s+is|nothing's|still\s+not|never)\s+"
         r"(?:(?:even|really|properly|currently|at\s+all|fully)\s+)?working\b",
        r"\b(?:doesn't|doesnt|does\s+not|don't|dont|do\s+not|won't|wont|will\s+not|didn't|didnt|can't|cant|cannot|"
         r"can\s+not|wouldn't|wouldnt)\s+(?:(?:even|seem\s+to|ever)\s+)?(?:work|load|open|connect|respond)\b"
         r"(?!\s+(?:for\s+(?:you|us)|with\s+(?:you|us)|on\s+(?:you|us)))",
        ("nothing", r"\bnothing\s+(?:works|is\s+loading|loads)\b"),
        ("loading responding opening connecting updating sending going",
         r"\bnot\s+(?:loading|responding|opening|connecting|updating|sending|going\s+through)\b"),
        (_CANT, r"\b(?:can't|cant|cannot|can\s+not|unable\s+to|couldn't|couldnt|could\s+not|won't\s+let\s+me|"
         r"wont\s+let\s+me|not\s+able\s+to|impossible\s+to)\s+(?:even\s+|seem\s+to\s+)?(?:log\s*-?\s*in|login|log\s+on|"
         r"logon|sign\s*-?\s*in|signin|access|connect|get\s+(?:in|on|into)|pay|check\s*-?\s*out|load)\b"),
        r"\b(?:outages?|downtime|service\s+(?:disruption|interruption))\b",
        r"\b(?:is\s+it\s+(?:just|only)\s+me|just\s+me\s+or|only\s+me\s+or|it's\s+not\s+just\s+me|"
         r"not\s+just\s+(?:you|me))\b",
        ("anyone", r"\banyone\s+else\s+(?:having|getting|seeing|experiencing|can't|cant|unable|facing|had|got|with)\b"),
        ("#tags", r"(?:fail|outage|down|disservizio|panne|caido|caida|ausfall|storung|offline|foradoar)\b"),
        ("error errore erreur fehler erro code http status",
         r"\b(?:error|errore|erreur|fehler|erro|code|http|status)\s*:?\s*5\d\d\b|\b5\d\d\s*(?:error|errore|erreur|"
         r"fehler|erro|internal|bad\s+gateway|gateway|service)\b"),
        r"\b(?:throws?|gives?|giving|getting|got|returns?|returning|shows?|showing)\s+(?:me\s+)?(?:an?\s+)?5\d\d\b",
        r"\b(?:internal\s+server\s+error|bad\s+gateway|service\s+unavailable|gateway\s+time-?out|server\s+error|"
         r"site\s+can't\s+be\s+reached)\b",
        r"\b(?:no|lost)\s+(?:service|signal|internet|connection|connectivity|network|power|wifi|"
         r"reception)\b",
        r"\b(?:out\s+of\s+service|power\s+(?:is\s+)?out|offline\s+again)\b",
        # Symptoms: logged out over and over, messages and codes that never arrive, "temporarily unavailable", no bars
        ("logs logging kicks kicking keeps", r"\b(?:keeps?\s+)?(?:logs|logging|kicks|kicking)\s+me\s+(?:out|off)\s+"
         r"(?:every|all\s+the\s+time|constantly|over\s+and\s+over|again\s+and\s+again|each\s+time)\b"),
        ("logged", r"\blogged\s+(?:me\s+)?out\b(?:\s+[\w']+){0,4}?\s+(?:\d+|three|four|five|six|ten|several|many)\s+"
         r"times\b"),
        ("notification* message* text* sms otp code* email* alert*",
         r"(?<!case\s)(?<!case\sthe\s)(?<!if\s)(?<!if\sthe\s)(?<!when\s)(?<!when\sthe\s)(?<!in\scase\syour\s)"
         r"\b(?:notifications?|push\s+notifications|messages|texts|sms|otp|verification\s+(?:codes?|texts?|emails?)|"
         r"(?:login|security|sms|otp|2fa)\s+codes?|alerts)\s+(?:(?:have|has|just)\s+)?(?:stopped|aren't|arent|"
         r"are\s+not|isn't|isnt|is\s+not|not|never|don't|dont|no\s+longer)\s+(?:even\s+)?(?:arriving|arrive|"
         r"coming(?:\s+through)?|come\s+through|showing\s+up|show\s+up|being\s+delivered|getting\s+delivered|"
         r"delivered|arrives)\b"),
        ("unavailable", r"\bservice\s+(?:is\s+)?(?:temporarily|currently|momentarily)\s+unavailable\b"),
        ("bars", r"\b(?:zero\s+bars|no\s+bars\s+(?:at\s+all|of\s+(?:signal|service|reception)))\b"),
        # Italian
        ("funzion* caric* apre aprono connette collega avvia parte partono va vanno",
         r"\bnon\s+(?:mi\s+|ci\s+|ti\s+|gli\s+)?(?:(?:piu|ancora|proprio)\s+)?(?:funzion\w*|caric\w*|si\s+"
         r"(?:apre|aprono|carica|caricano|connette|collega|avvia)|parte|partono|va(?:nno)?\b(?!\s*(?:bene|male|"
         r"d'accordo|giu|proprio\s+bene|piu\s+bene|a\b|in\b|mai\b)))"),
        ("giu", r"(?<!su )\b(?:e|sono|era|ancora|sito|app|server|servizio|servizi|login|pagamenti|tutto|andato|andata|"
         r"andati|caduto|caduta|nuovo)\s+(?:(?:di\s+nuovo|ancora|completamente|tutto|gia|proprio|anche)\s+)?giu\b"
         r"(?!\s+(?:di\s+morale|di\s+corda|per\s+terra|le\s+mani|d(?:i|el|ello)\s+\d))"),
        ("giu", r"\bgiu\s+(?:anche\s+)?(?:per\s+(?:voi|tutti|te|me)|a\s+(?:voi|tutti)|da\s+(?:ore|stamattina|un'ora|"
         r"ieri|mezz'ora|\d+))\b"),
        r"\b(?:e|sono|ancora|sito|servizio|tutto|esta|estan|ta|est|sont|ist|sind|fica|ficou|estava|c'est)\s+"
         r"(?:(?:di\s+nuovo|ancora|completamente|tutto|gia|de\s+nuevo|otra\s+vez|encore|wieder|komplett|de\s+novo)"
         r"\s+)?down\b",
        ("riesc*", r"\bnon\s+riesc\w*\s+(?:piu\s+|ancora\s+)?(?:a|ad)\s+(?:accedere|entrare|collegarmi|connettermi|"
         r"loggarmi|logarmi|fare\s+(?:il\s+)?(?:login|accesso|log\s*in|pagament\w*|bonifico|ordine)|pagare|aprire|"
         r"caricare|usare|effettuare|completare|acquistare)\b"),
        r"\b(?:disservizi\w*|fuori\s+(?:uso|servizio)|in\s+tilt|irraggiungibil\w*|inaccessibil\w*|bloccato\s+tutto)\b",
        r"\b(?:solo\s+a\s+me|succede\s+(?:solo\s+)?a\s+me|anche\s+(?:a|per)\s+voi\s+(?:non|e)|"
         r"e\s+giu\s+anche)\b",
        ("c'e", r"\bnon\s+c'e\s+(?:linea|rete|campo|connessione|segnale|servizio)\b"),
        ("butta buttano sbatte disconnette", r"\b(?:mi|ci)\s+(?:butta|buttano|sbatte|sbattono)\s+fuori\b|"
         r"\bmi\s+disconnette\s+(?:di\s+continuo|ogni|sempre|in\s+continuazione)\b"),
        ("notifiche messaggi sms codice codici otp mail email",
         r"\b(?:notifiche|messaggi|sms|codici?(?:\s+(?:otp|sms|di\s+verifica))?|otp|e?mail)\s+(?:\w+\s+){0,2}?non\s+"
         r"(?:mi\s+|ci\s+)?(?:arriva|arrivano)(?:\s+piu)?\b"),
        ("segnale tacche campo", r"\b(?:nessun\s+segnale|zero\s+tacche|senza\s+(?:segnale|campo))\b"),
        ("disponibile", r"\b(?:servizio|sito|pagina|app)\s+(?:momentaneamente|temporaneamente)\s+non\s+disponibile\b"),
        # Spanish
        ("funciona* carga* abre conecta anda va",
         r"\bno\s+(?:me\s+|nos\s+|le\s+)?(?:funciona\w*|carga\w*|abre|conecta|anda|va\b(?!\s+(?:bien|mal|a|en|"
         r"con)))"),
        r"\b(?:esta|estan|se\s+ha|ha|se|sigue|siguen)\s+(?:\w+\s+)?(?:caido|caida|caidos|cayo|colgado|colgada|colgo)\b",
        ("caida", r"\bcaida\s+(?:de|del|general|masiva|total)\b"),
        ("puedo podemos deja", r"\bno\s+(?:puedo|podemos|me\s+deja|nos\s+deja)\s+(?:entrar|acceder|iniciar|"
         r"conectarme|pagar|ingresar|loguearme)\b"),
        r"\b(?:sin|fuera\s+de)\s+(?:servicio|conexion|internet|senal|red|linea)\b",
        ("solo", r"\bsolo\s+(?:a\s+mi|me\s+pasa)\b"),
        # French
        r"\b(?:marche|marchent|fonctionne|fonctionnent|charge|repond|s'ouvre|passe)\s+(?:pas|plus)\b",
        r"\b(?:en\s+panne|panne\s+(?:generale|totale|de\s+reseau|internet|reseau|"
         r"de\s+service)|hors\s+(?:service|ligne|d'usage)|en\s+rade|plante|bugue)\b",
        ("impossible", r"\bimpossible\s+de\s+(?:se\s+|me\s+|nous\s+)?(?:connecter|acceder|payer|charger|ouvrir|"
         r"commander)\b"),
        r"\b(?:pas|plus)\s+de\s+(?:reseau|connexion|internet|service)\b",
        # German
        r"\b(?:funktioniert|funktionieren|funzt|geht|gehen|ladt|laden|lauft|laufen)\s+(?:\w+\s+)?"
         r"(?:nicht|nix|nimmer|gar\s+nicht)\b",
        r"\b(?:ist|sind|schon\s+wieder)\s+(?:\w+\s+)?(?:down|offline|ausgefallen|tot|kaputt|"
         r"abgesturzt)\b",
        r"\b(?:ausfall|storung|storungen|netzausfall|totalausfall|serverausfall|serverprobleme)\b",
        r"\bkann\s+mich\s+(?:\w+\s+)?nicht\s+(?:einloggen|anmelden)\b|\b(?:nicht|kein)\s+"
         r"erreichbar\b",
        ("kein keine keinen", r"\bkeine?n?\s+(?:verbindung|netz|internet|empfang)\b"),
        # Portuguese
        ("nao", r"\bnao\s+(?:\w+\s+)?(?:funciona\w*|carrega\w*|abre|conecta|entra|abrem)\b"),
        r"\b(?:fora\s+do\s+ar|caiu|cairam|ta\s+fora|esta\s+fora|ficou\s+fora|instabilidade|indisponivel)\b",
        ("consigo consegui conseguimos", r"\bnao\s+(?:consigo|consegui|conseguimos)\s+(?:\w+\s+)?(?:entrar|acessar|"
         r"logar|pagar|fazer\s+login|conectar)\b"),
        ("sem", r"\bsem\s+(?:sinal|internet|servico|conexao|rede)\b"),
    )),
    (1.5, (
        r"\b(?:keeps?|kept)\s+(?:crashing|freezing|timing\s+out|logging\s+me\s+out|failing|"
         r"erroring|spinning)\b",
        r"\b(?:(?<!car )(?<!market )(?<!plane )(?<!stock )(?<!bike )(?<!the )crash(?:ed|es|ing)?\b"
         r"(?!\s+(?:course|test|landing|diet|into|pad))|crasha\w*|va\s+in\s+crash|se\s+cierra|sturzt\s+ab|"
         r"abgesturzt|trava|travou)\b",
        ("declined rejected refused bouncing failing", r"\b(?:payments?|card\s+payments?|transactions?|transfers?|"
         r"direct\s+debits?|contactless|cards?)\s+(?:(?:are|is|keep|keeps|all|being|getting|get)\s+){0,2}"
         r"(?:declined|rejected|refused|bouncing|failing)\b"),
        ("rifiutat* respint* passa passano",
         r"\b(?:pagamenti|pagamento|carta|carte|transazioni|bonifici?|contactless)\s+(?:\w+\s+){0,3}?"
         r"(?:rifiutat[oaie]|respint[oaie]|non\s+passa(?:no)?)\b"),
        ("fermo ferma bloccato bloccata stuck",
         r"\b(?:fermo|ferma|bloccato|bloccata)\s+in\s+(?:lavorazione|elaborazione)\b|"
         r"\bstuck\s+(?:on|in|at)\s+(?:processing|in\s+progress)\b"),
        ("forever carica caricare caricamento",
         r"\b(?:spins?|spinning|loads?|loading|buffers?|buffering)\s+(?:\w+\s+)?forever\b|"
         r"\b(?:carica|caricare|caricamento)\s+all'infinito\b"),
        r"\b(?:times\s+out|timed\s+out|timing\s+out|time\s*-?out|va\s+in\s+timeout|blank\s+screen|white\s+screen|"
         r"black\s+screen|schermo\s+nero|schermata\s+nera|pagina\s+bianca|schermata\s+bianca|just\s+spins|"
         r"keeps\s+loading|stuck\s+(?:on|at)\s+(?:the\s+)?loading|"
         r"resta\s+in\s+caricamento|something\s+went\s+wrong|si\s+e\s+verificato\s+un\s+errore|offline|is\s+broken|"
         r"broken\s+again|glitch\w*|problemi\s+(?:di\s+)?(?:accesso|connessione|rete|linea)|problema\s+tecnico|"
         r"problemi\s+tecnici|stuck\s+on\s+pending|not\s+going\s+through|won't\s+go\s+through)\b",
        ("error errore page pagina site sito server",
         r"\b(?:5\d\d|404)\b(?=.*\b(?:error|errore|page|pagina|site|sito|server)\b)"),
    )),
    (0.8, (
        r"\b(?:anyone\s+else|any\s+eta|eta\s+on|eta\?|status\s+page|servers?|maintenance|manutenzione|"
         r"same\s+here|me\s+too|anche\s+a\s+me|idem|pure\s+io|stesso\s+problema|same\s+issue|same\s+problem|"
         r"any\s+news|when\s+will\s+(?:it|this|you|the\s+\w+)\s+be\s+(?:back|fixed|up|working)|back\s+online\s+when)\b",
    )),
)

OUTAGE_PATTERNS: tuple[tuple[float, re.Pattern[str]], ...] = RuleSet({"outage": OUTAGE_SOURCES}).patterns("outage")
"""Compiled outage phrases as (weight, pattern) pairs, strongest first; match them against `fold(text)`."""
