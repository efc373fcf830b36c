"""Complaint, praise and question phrases (folded, accent-free text), mostly en and it, some es/fr/de/pt."""

from __future__ import annotations

import re

from classifiers.ruleset import GroupSources

_WAIT_UNIT = (r"(?:\d+|an?|one|two|three|four|five|six|several|many|over\s+\w+)\s+(?:hours?|hrs?|days?|weeks?|months?|"
              r"mins?|minutes?)")

COMPLAINT_SOURCES: GroupSources = (
    (2.0, (
        ("still", r"\bstill\s+(?:waiting|no|not|nothing|haven't|hasn't|havent|hasnt|don't|dont|can't|cant|pending|"
         r"stuck|missing|broken|late|delayed|charging|unresolved|unpaid|on\s+hold|without|nobody|no\s+one|never)\b"),
        r"\b(?:been\s+waiting|waiting\s+(?:for\s+)?(?:over\s+)?" + _WAIT_UNIT
         + r"|on\s+hold|hung\s+up)\b",
        r"\b(?:no\s+one|no-one|nobody)\s+(?:\w+\s+)?(?:answers|answered|responds|responded|"
         r"replies|replied|helps|helped|cares|came|showed|called|got\s+back|is\s+answering|picks\s+up|picked\s+up|"
         r"can\s+(?:explain|help|tell)|knows)\b",
        ("no", r"\bno\s+(?:answer|reply|replies|response|responses|help|update|updates|info|communication|apology|"
         r"refund|compensation|explanation|follow\s*-?up)\b"),
        r"\b(?:never|didn't|didnt|haven't|havent|hasn't|hasnt|not\s+yet)\s+(?:\w+\s+)?(?:answered|replied|responded|"
         r"received|arrived|came|showed|heard\s+back|got\s+(?:back|my)|refunded|delivered|fixed|resolved)\b",
        r"\b(?:refunds?|refunded|reimburs\w*|compensat\w*|charged\s+(?:me\s+)?(?:twice|double|again|for)|"
         r"double\s+charged|overcharg\w*|hidden\s+fees?|rip\s*-?\s*off|scam\w*|fraud\w*|billed\s+for)\b",
        r"\b(?:delayed|delays?|cancell?ed|cancell?ation|late\s+(?:flight|again|delivery|arrival)|"
         r"lost\s+(?:my\s+|our\s+)?(?:bag|bags|luggage|baggage|package|parcel|order|booking|reservation)|"
         r"missed\s+(?:my\s+|our\s+)?(?:connection|flight)|stranded|rebooked|overbooked)\b",
        ("late", r"\b\d+\s+(?:days?|hours?)\s+late\b"),
        ("time", r"\b(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time\s+(?:this|in|that)\b"),
        r"\b(?:worst|terrible|horrible|awful|pathetic|disgrace\w*|unacceptable|ridiculous|incompetent|useless|"
         r"shameful|appalling|atrocious|abysmal|rude|unprofessional|unhelpful)\b",
        r"\b(?:shame\s+on\s+you|sort\s+it\s+out|get\s+it\s+together|how\s+hard\s+is\s+it|every\s+single\s+(?:time|"
         r"day|week)|never\s+again|"
         r"fed\s+up|sick\s+(?:and\s+tired\s+)?of|tired\s+of|i'm\s+done|done\s+with\s+(?:you|this)|what\s+a\s+joke|"
         r"copy\s*-?\s*paste|closed\s+my\s+(?:ticket|case|complaint)|without\s+(?:fixing|solving|resolving|any)|"
         r"chatbot\s+is|talk\s+to\s+a\s+(?:human|person|real)|(?:can't|cannot|impossible\s+to)\s+(?:talk|speak|"
         r"reach|contact|get\s+hold\s+of)|not\s+(?:happy|impressed|acceptable|ok|okay|good\s+enough|satisfied)|"
         r"thanks\s+for\s+nothing|so\s+annoying|nobody\s+came|never\s+arrived|marked\s+(?:as\s+)?delivered|"
         r"wrong\s+(?:item|order|address|size|charge|bag)|took\s+(?:the|my)\s+money|where\s+is\s+my\s+(?:refund|"
         r"order|package|parcel|money|bag|luggage))\b|#(?:disappointed|badservice|neveragain|customerservicefail|"
         r"worstairline|unacceptable)\b",
        # Italian
        r"\b(?:vergogn\w*|pessim\w*|schif\w*|ridicol\w*|truff\w*|ladri|ladro|delus\w*|inaccettabil\w*|"
         r"incompetent\w*|peggior\w*|scandal\w*|reclam\w*|assurd\w*|indecent\w*|incapac\w*)\b",
        r"\bancora\s+(?:niente|nulla|nessun\w*|non|aspetto|in\s+attesa|zero)\b|\b(?:aspetto\s+"
         r"ancora|sto\s+ancora\s+aspettando|in\s+attesa\s+da|aspetto\s+da|attendo\s+da|aspettando\s+da)\b",
        r"\b(?:nessuna|zero)\s+(?:risposta|risposte|notizia|notizie|soluzione|"
         r"comunicazione)\b|\bnessuno\s+(?:\w+\s+)?(?:risponde|sa|mi\s+(?:risponde|richiama|aiuta)|e\s+passato|"
         r"si\s+e\s+visto)\b",
        ("non", r"\bnon\s+(?:mi\s+)?(?:rispondete|risponde(?:te)?\s+(?:mai|nessuno)|(?:hanno|avete)\s+(?:ancora\s+|"
         r"mai\s+)?(?:risposto|rimborsato|consegnato|restituito|risolto)|e\s+(?:possibile|accettabile|normale|serio)|"
         r"ci\s+siamo)\b"),
        r"\b(?:rimbors\w*|addebit\w*|due\s+volte|costi\s+nascosti|in\s+ritardo|ritardo\s+di|che\s+nervi|basta|"
         r"sistemate|mai\s+piu|ma\s+e\s+possibile|com'e\s+possibile|come\s+e\s+possibile|copia\s*-?\s*incolla|"
         r"impossibile\s+(?:parlare|contattare|avere|sentire)|senza\s+(?:risolvere|risposta)|chius\w\s+(?:la\s+mia\s+)?"
         r"(?:segnalazione|pratica)|ogni\s+santo|dopo\s+secoli|che\s+delusione|disdett\w*|schiacciat\w*|mancant\w*|"
         r"lentissim\w*|ci\s+mette\s+una\s+vita)\b|#delusione\b",
        # Spanish, French, German, Portuguese
        r"\b(?:verguenza|pesim\w*|reembolso|reclamacion|estafa|sigo\s+esperando|todavia\s+(?:nada|no)|nadie\s+"
         r"(?:responde|contesta)|honte|remboursement|inadmissible|toujours\s+(?:rien|pas)|personne\s+ne\s+repond|"
         r"arnaque|scandaleux|frechheit|unverschamt|erstattung|immer\s+noch\s+(?:nichts|nicht|kein)|niemand\s+"
         r"(?:antwortet|meldet)|katastroph\w*|enttausch\w*|vergonha|descaso|palhacada|ninguem\s+(?:responde|atende)|"
         r"ainda\s+(?:nada|nao))\b",
        r"\b(?:non\s+(?:mi|ci)\s+(?:piace|piacciono|e\s+piaciut\w)|don't\s+like|do\s+not\s+like|didn't\s+like|"
         r"not\s+a\s+fan|no\s+me\s+gusta|n'aime\s+pas|gefallt\s+mir\s+nicht|nao\s+gosto)\b",
        # Accusing questions, long waits, refusals
        r"\bwhy\s+(?:(?:are|is|do|did|does|can't|cant|won't|wont|didn't|didnt|don't|dont|would|wouldn't|isn't|"
         r"hasn't|haven't|aren't|doesn't)\s+(?:you|your|u|it|this|my|there|the\s+\w+)|the\s+hell|on\s+earth|"
         r"would\s+you|in\s+the\s+world)\b",
        r"\bperche\s+(?:(?:mi|ci|non|devo|dobbiamo|dovrei|avete|continuate|bisogna)\b|(?:e|il|la|lo|i|le)\s+"
         r"(?:\w+\s+)?(?:ancora|sempre|cosi|impossibile))",
        r"\b(?:it's|its|it\s+has|has\s+been|i've\s+been|we've\s+been|been)\s+(?:over\s+|almost\s+|nearly\s+)?"
         r"(?:an?|one|two|three|four|five|\d+)\s+(?:hours?|hrs?|days?|weeks?|months?)\b",
        r"\b(?:waited|waiting)\s+(?:long\s+enough|forever|ages|all\s+day|for\s+(?:hours|days|ages|weeks))\b",
        ("minutes minute mins min hours hrs", r"\b\d+\s*(?:minutes?|mins?|hours?|hrs?)\s+(?:to|on|in|for|of|"
         r"waiting|wait|late|delay|delayed|and|now|later|after)\b"),
        r"\b(?:refus\w+|can't\s+even|cannot\s+even|where\s+the\s+(?:heck|hell|f)|no\s+news|no\s+one\s+knows|"
         r"nobody\s+knows|wasted\s+(?:my|our|\d+)|ruined\s+(?:my|our)|worst\s+experience|lost\s+(?:my|our)\s+"
         r"\w+|still\s+(?:here|sitting|stuck|on\s+the)|stuck\s+(?:in|at|on)|missed\s+(?:my|our|the))\b",
        ("#tags", r"poor|bad|worst|fail|never|sucks|disappoint|angry|frustrat|ridiculous|fml|notcool|nothappy|"
         r"shame|joke|unhappy|terrible|horrible|awful|delay|cancel|lost|broken|waiting|hold|vergogna|schifo|"
         r"delusione|disservizio|pessim|truffa"),
    )),
    (1.0, (
        r"\b(?:seriously|come\s+on|ugh+|smh|wtf|customer\s+(?:service|support|care)|fix\s+(?:it|this|your)|"
         r"why\s+(?:is|are|do|does|did|can't|cant|won't|wont|would|am\s+i|isn't|haven't|hasn't)|perche\s+(?:devo|mi|"
         r"non|e|ci)|ma\s+dai|ogni\s+(?:volta|giorno|settimana)|da\s+(?:settimane|giorni|mesi)|waiting|hold|pending|"
         r"in\s+sospeso|zero)\b|#customerservice\b",
        ("dm dmed dm'ed", r"\bdm'?ed\s+you\b"),
        ("again", r"\bagain\s*(?:\?|!)"),
    )),
)

PRAISE_SOURCES: GroupSources = (
    (2.0, (
        r"\b(?:thank(?:s|\s+you|\s+u|\s+ya|ful)|thx|tysm|many\s+thanks|cheers)\b(?!\s+(?:for\s+nothing|for\s+not|"
         r"but\s+no|a\s+lot\s+for))",
        r"\blove\s+(?:you|it|this|that|the|your|ya|u|how|flying|my|them|these|those)\b|<3",
        r"\b(?:great|amazing|awesome|excellent|fantastic|outstanding|brilliant|wonderful|exceptional|superb|"
         r"fabulous|incredible|perfect|quick|fast|friendly|helpful|lovely|smooth)\s+(?:customer\s+)?(?:service|job|"
         r"support|experience|team|app|crew|flight|work|staff|people|care|agent|help|update|response)\b",
        ("best", r"\bbest\s+(?:airline|app|service|customer\s+service|bank|company|ever|experience|crew|staff|team|"
         r"support)\b"),
        r"\b(?:kudos|shout\s*-?\s*out|props\s+to|hats\s+off|well\s+done|good\s+job|great\s+job|nice\s+job|"
         r"you\s+(?:guys\s+)?rock|rock\s*stars?|you're\s+the\s+best|you\s+are\s+the\s+best|(?:you\s+guys|y'all)\s+are\s+"
         r"(?:the\s+best|great|awesome|amazing)|life\s*saver|above\s+and\s+beyond|five\s+stars|"
         r"highly\s+recommend|chef's\s+kiss|keep\s+it\s+up|keep\s+up\s+the\s+(?:good|great)\s+work|made\s+my\s+day|"
         r"so\s+helpful|very\s+helpful|super\s+helpful|(?:sorted|solved|fixed|resolved)\s+(?:my|it|the)|"
         r"honestly\s+impressed|still\s+happy|so\s+much\s+(?:faster|better|easier))\b|\b10/10\b",
        ("stars", r"\b5\s+stars\b"),
        ("lode risolto", r"\b(?:10\s+e\s+lode|(?:mi\s+)?ha(?:nno)?\s+risolto)\b"),
        # Italian
        ("grazie", r"\bgrazie\b(?!\s+(?:per\s+niente|per\s+nulla|al\s+cazzo|a\s+voi\s+ho))"),
        r"\b(?:fantastic\w*|bravissim\w*|bravi|brava|ottim\w*|perfett\w*|gentilissim\w*|cortesissim\w*|eccellent\w*|"
         r"spettacol\w*|complimenti|soddisfatt\w*|consigliatissim\w*|stupend\w*|meraviglios\w*|velocissim\w*|"
         r"rapidissim\w*|efficientissim\w*|impeccabil\w*|fluidissim\w*|benissimo)\b",
        r"\b(?:(?:vi|ti|lo|la|li)\s+consiglio|il\s+migliore|i\s+migliori|la\s+migliore|siete\s+(?:grandi|i\s+migliori|"
         r"fantastici|mitici|il\s+top|top|bravissimi)|vi\s+adoro|vi\s+amo|niente\s+da\s+dire|"
         r"risolto\s+(?:tutto|in|subito)|che\s+spettacolo|sempre\s+(?:il\s+)?top|"
         r"mi\s+trovo\s+(?:benissimo|bene)|servizio\s+(?:ottimo|eccellente|impeccabile|top|perfetto)|"
         r"lo\s+devo\s+dire|davvero\s+bravi|top)\b",
        # Spanish, French, German, Portuguese
        r"\b(?:gracias|excelente|genial|me\s+encanta|merci|bravo|parfait|super\s+(?:service|equipe|team)|danke|"
         r"vielen\s+dank|toll|klasse|perfekt|obrigad[oa]|parabens|otimo\s+atendimento)\b",
    )),
)

QUESTION_WORDS = frozenset("""how what when where why who which whats what's can could would do does did is are will
    should any anyone come quando perche dove chi cosa che quale quali quanto quanti posso possiamo potete puoi si
    c'e e qualcuno sapete esiste avete fino como cuando por donde puedo hay comment quand pourquoi est-ce puis
    peut wie wann warum wo kann gibt onde tem""".split())

QUESTION_OPENER = re.compile(
    r"(?:^|[.!?:;]\s*|\n)\W*(?:@\w+\W*)*(?:(?:hey|hi|hello|ciao|salve|buongiorno|buonasera|hola|bonjour|hallo|ola|oi|"
    r"quick\s+question|question|domanda(?:\s+per)?|so|ok|also|and|e|ma)\W+(?:@\w+\W*)*)?"
    r"(?:how|what|when|where|why|who|which|whats|what's|can\s+(?:i|we|you|u|someone|anyone)|could\s+(?:i|you|"
    r"someone)|would\s+you|do\s+(?:you|i|we|u)|does|did\s+(?:you|i)|is\s+(?:there|it|this|that)|are\s+(?:there|you|u)|"
    r"will\s+(?:i|you|there|it)|should\s+i|any\s+(?:idea|way|update|news|eta|chance|word|info)|anyone|has\s+anyone|"
    r"come|quando|perche|dove|chi|cosa|che\s+cosa|quale|quali|quanto|quanti|posso|possiamo|potete|puoi|si\s+puo|"
    r"c'e|e\s+possibile|qualcuno|sapete|esiste|avete|fino\s+a\s+quando|como|cuando|por\s+que|donde|puedo|hay|"
    r"comment|quand|pourquoi|est-ce\s+que|puis-je|peut-on|wie|wann|warum|wo|kann\s+ich|gibt\s+es|onde|tem\s+como)\b",
    re.MULTILINE)

QUESTION_SOURCES: GroupSources = ((1.4, (
    r"\b(?:how\s+(?:do|can|should|would|could)\s+(?:i|we|you|one)|how\s+to|is\s+there\s+(?:a|any)\s+way|"
    r"does\s+anyone\s+know|anyone\s+know|can\s+(?:i|we)\s+\w+|what\s+time|where\s+(?:do|can|is)\s+(?:i|my)|"
    r"do\s+you\s+(?:ship|deliver|have|offer|accept|support)|come\s+(?:faccio|posso|si|mai|cambio|scarico|aggiungo|"
    r"invio|attivo|trovo)|qualcuno\s+(?:sa|mi\s+sa|puo)|sapete\s+(?:se|come|quando|dirmi)|c'e\s+(?:un\s+)?modo|"
    r"(?<!ma )(?<!non )e\s+possibile|dove\s+(?:trovo|posso|si)|fino\s+a\s+quando|como\s+(?:puedo|hago|se)|"
    r"comment\s+(?:faire|puis-je|"
    r"on)|wie\s+kann\s+ich|como\s+(?:faco|posso))\b",
)),)
"""Unmistakable question phrases: a question even without a question mark."""

WHY_WORDS = frozenset({"why", "perche", "por", "pourquoi", "warum"})
WHY_OPENER = re.compile(r"(?:^|[.!?]\s*)\W*(?:@\w+\W*)*(?:but\s+|ma\s+|and\s+|e\s+)?(?:why|perche|por\s+que|"
                        r"pourquoi|warum)\b", re.MULTILINE)

NEGATED_BEFORE = re.compile(
    r"\b(?:not|no|never|isn't|wasn't|aren't|don't|didn't|hardly|non|nessun\w*|mai|ni|pas|nicht|kein\w*|nao|nada)\s+"
    r"(?:[\w']+\s+){0,2}$")

