"""Phrases that say a service works again after a problem, in en, it, es, fr, de and pt (folded, accent-free text).

A recovery report ("back up now", "works again", "adesso va") is not an outage report, and a run of them while an
outage is open is the public's own word that it is over. Negated phrases ("not back up yet") do not count, and
"stopped working again" is a new problem, not a recovery.
"""

from __future__ import annotations

import re

from classifiers.ruleset import GroupSources

RECOVERY_UNREAL = re.compile(
    r"\b(?:hope|hopes|hoped|hopefully|hoping|until|till|til|before|once|if|when|whenever|wish|crossed|pray\w*|"
    r"should|will|would|could|might|may|wait\w*|speranza|spero|speriamo|finche|prima\s+che|quando|se|ojala|"
    r"hasta\s+que|cuando|si|j'espere|quand|hoffentlich|wenn|bis|arent|isnt|wasnt|werent|dont|doesnt|didnt|cant|wont|"
    r"aint)\s+(?:[\w']+\s+){0,3}$")
"""A wish, a condition, a future or a negation spelled without its apostrophe ("arent working again") right before a
recovery phrase ("hopefully it's back up soon") is no recovery."""
_WHEN = r"(?:\d|mon|tue|wed|thu|fri|sat|sun)"
_LATER = r"(?:tomorrow|tonight|next|soon|later|on\s+" + _WHEN + ")"
"""A time still to come: "working again tomorrow", "back on Thursday" tell of plans, not of a recovery."""
_AGAIN_OK = (r"(?:\s+(?:fine|ok|okay|normally|properly|perfectly|now|for\s+me|here))?\s+again\b(?!\s+" + _LATER
             + ")")
_NOT_BROKEN = r"(?<!stopped )(?<!stop )(?<!quit )(?<!stops )"
_BACK_TAIL = (r"(?!\s+(?:down|to\s+(?!normal\b)|in\s+(?!service|business|action)|with|from\s+(?:holiday|vacation)|"
              r"on\s+(?:sale|tv|air|stage)|at\b|again\s+(?:down|broken)|" + _LATER + r"|this\s+(?:year|week|"
              r"weekend|month|season|summer|winter|spring|fall|autumn|time)|for\s+(?:another|a\s+new|season|the)))")
_ON_TAIL = r"(?!\s+(?:it|this|that|with|as|for\s+(?!me\b|us\b)|tv|air|sale|stage|" + _WHEN + "|" + _LATER + "))"
"""What may not follow "back on": "look back on it", "back on TV", "back on Thursday" are no recoveries."""
_NOT_ASKED = r"(?![^.!?\n]*\?)"
"""No question mark later in the same sentence: "is it back up?" asks, it does not report."""
_TROUBLE = r"(?!\s+(?:il|lo|la|l'|un|una|i|gli|le)\s*(?:problem|error|disserviz|guast|blocc|bug|crash|lag))"

_SOURCES = (
    (3.0, (
        # English
        ("back", r"\b(?:is|are|'s|s|it's|its|everything|seems|seem|looks|look|now|finally|all)\s+"
         r"(?:finally\s+|now\s+|all\s+)?back\s+(?:up(?!\s+to\s+(?!normal|speed))|online|on\s*line|on\b" + _ON_TAIL
         + r"|to\s+normal|in\s+service|and\s+running|working)\b(?!\s+(?:my|the|your|his|her|their|our)\b)"),
        ("back", r"(?<!\ba )\bback\s+up\s+(?:and\s+running|now|again|for\s+me|here)\b(?!\s+" + _LATER + ")"),
        ("back", r"^\W*@?(?!(?:bug|bugs|error|errors|problem|problems|issue|issues|glitch|outage|lag|crash|crashes|"
         r"they|we|he|she|i|you|u|yall|everyone|everybody)\b)[\w.]+\s+(?:is|are|'s)\s+(?:finally\s+)?back\b"
         + _BACK_TAIL),
        ("back", r"\b(?:it|everything)\s*(?:'s|s|\s+is)\s+(?:finally\s+)?back\b" + _BACK_TAIL),
        ("works working loads loading running connecting", _NOT_BROKEN + r"\b(?:works|working|loads|loading|running|"
         r"connecting)" + _AGAIN_OK),
        ("up", r"\b(?:is|are|'s)\s+(?:finally\s+)?up\s+(?:and\s+running\s+)?again\b"),
        ("running", r"\bup\s+and\s+running\s+(?:again|now)\b"),
        ("good", r"\ball\s+good\s+(?:again|now)\b"),
        ("fixed resolved restored sorted", r"\b(?:seems\s+|looks\s+|is\s+|all\s+)?(?:fixed|resolved|restored|sorted)"
         r"\s+now\b"),
        ("restored", r"\b(?:service|services|power|internet|wifi|connection|access|site|app|signal|electricity)\s+"
         r"(?:is\s+|has\s+been\s+|have\s+been\s+|was\s+|finally\s+)*restored\b"),
        ("power electricity", r"\b(?:power|electricity|lights)\s+(?:is\s+|'s\s+|s\s+|came\s+|finally\s+)*back\b"
         r"(?!\s+(?:down|off|out))"),
        # Italian
        ("tornato tornata tornati tornate ripartito ripartita", r"\b(?:e|sono|finalmente|ok)\s+(?:di\s+nuovo\s+|"
         r"finalmente\s+)?(?:tornat[oaie]|ripartit[oaie])\b" + _TROUBLE),
        ("nuovo", r"\bdi\s+nuovo\s+(?:online|attiv[oaie]|funzionante|funzionanti|disponibile|raggiungibile|su)\b"),
        ("funziona funzionano va vanno riesco", r"\b(?:funziona|funzionano|va|vanno|riesco\s+ad?\s+\w+)\s+"
         r"(?:di\s+nuovo|nuovamente)\b"),
        ("adesso ora finalmente", r"\b(?:adesso|ora|finalmente)\s+(?:(?:tutto|di\s+nuovo)\s+)?(?:va|funziona|"
         r"funzionano|vanno|si\s+accede|riesco)\b(?!\s*\?)"),
        ("ripreso", r"\b(?:ha|hanno)\s+ripreso\s+a\s+funzionare\b"),
        ("tutto", r"\btutto\s+(?:ok|a\s+posto|risolto|sistemato)\s+(?:ora|adesso|di\s+nuovo)\b"),
        ("ripristinato ripristinata ripristinati ripristinate", r"\b(?:servizio|servizi|sito|app|linea|corrente|"
         r"rete|accesso)\s+(?:e\s+|sono\s+|stat[oaie]\s+)*ripristinat[oaie]\b"),
        # Spanish, French, German, Portuguese
        ("funciona funcionar anda", r"\b(?:ya\s+(?:funciona|anda)|vuelve\s+a\s+funcionar|volvio\s+a\s+funcionar|"
         r"funciona\s+de\s+nuevo)\b"),
        ("remarche fonctionne revenu", r"\b(?:ca\s+remarche|remarche|fonctionne\s+(?:a|de)\s+nouveau|c'est\s+revenu)"
         r"\b"),
        ("wieder", r"\b(?:geht|funktioniert|lauft|laeuft|ist)\s+(?:jetzt\s+)?wieder\b(?!\s+(?:nicht|down|offline|"
         r"kaputt))|\bwieder\s+online\b"),
        ("voltou funciona", r"\b(?:voltou\s+a\s+funcionar|ja\s+funciona|funciona\s+de\s+novo)\b"),
    )),
)
RECOVERY_SOURCES: GroupSources = tuple((weight, tuple((words, pattern + _NOT_ASKED) for words, pattern in rules))
                                       for weight, rules in _SOURCES)
