"""Language evidence written for the detector: frequent words, accented letters, word endings, letter clusters."""

from __future__ import annotations

LANGS = ("en", "it", "es", "fr", "de", "pt")

# Frequent function words and a few very common social-media words, one string per language.
WORDS: dict[str, str] = {
    "en": """the and is are was were be been being to of in on for with at by from this that these those it it's
        i i'm im you you're your my me we our they their them he she his her what when where why how who which
        not don't dont can't cant doesn't doesnt isn't isnt won't wont didn't didnt aren't wasn't haven't hasn't
        couldn't wouldn't shouldn't do does did have has had will would can could should just again still now
        so very really get got getting any anyone anybody everyone everybody else there here about out up down
        if or but because all some thanks thank please love great good bad hate today time yet one more than
        then too after before working work works app service customer flight help need want know think like lol
        omg wtf u ur an my guys ever never been going gonna wanna let's well way into over back only even much
        hour hours minutes day days week weeks since while off us am being fix fixed""",
    "it": """il lo gli le un uno una di da con su per tra fra del della dello dei degli delle al allo alla ai agli
        alle dal dalla dai nel nella nei negli nelle sul sulla sui che chi non è ed ma anche quando perché
        perche dove cosa questo questa questi quello quella sono sei siamo siete ho hai ha abbiamo avete hanno
        mi ti ci vi ne io lui lei noi voi loro mio mia miei tuo tua vostro vostra nostro nostra più già ancora
        sempre mai niente nulla tutto tutti tutta molto troppo poco oggi ieri domani grazie ciao buongiorno
        buonasera qualcuno nessuno fare fatto essere stato stata va vado fa funziona solo proprio davvero così
        poi ora adesso qui qua po' c'è l' un' dell' all' nell' sull' dall' quest' quell' pure invece però senza
        dopo prima bene male servizio assistenza risposta sito ordine ancora niente nessuna riesco accedere
        giù vergogna pessimo ottimo bravi bravissimi anzi cioè comunque quindi allora ecco ogni volta volte
        sto stai sta stiamo stanno era erano fosse essere avere aveva ragazzi gente cose ora ore minuti giorni
        settimana qualche nemmeno neanche neppure faccio fai fanno posso puoi può devo
        deve voglio vorrei sapete potete vuoi dice detto bello bella brutto casa cambiare sempre governo
        presidente altro altra altri grande grandi buonanotte notte forza ahah ahahah ahahahah ragazzi bravo""",
    "es": """el los las unos unas del al con por para que qué y pero sí es está están son soy estoy muy más ya
        también porque cuando cómo dónde hay te nos mis su sus lo le les esto este esta ese esa eso todo
        todos nada nadie siempre nunca hoy ayer gracias hola bueno buena hacer tiene tengo puedo puede funciona
        servicio ahora aquí otra vez desde hasta sin sobre entre usted ustedes ellos ella él fue era han hemos
        pues vale ni cual muchas mucho hace bien mal alguien ningún ninguna cuenta favor aplicación caído
        caída día días horas semana qué pasa quiero necesito hacer puedes sabe saben
        están estaba tenemos estamos""",
    "fr": """le les une des du d' l' au aux et ou mais donc est sont suis être avoir ai avons avez ont je j' il
        elle on nous vous ils elles ce c' cet cette ces mon ma mes ton ta tes sa ses notre votre leur qu' qui
        quoi pourquoi comment quand où pas ne n' plus jamais rien très aussi encore toujours déjà avec pour
        par sur dans chez sans merci bonjour salut oui c'est n'est j'ai fait faire peut tout tous ça y été
        était quel quelle marche panne depuis aujourd'hui vraiment heure heures jour jours semaine quelqu'un
        personne service compte appli site veux peux dois sais savez pouvez
        fais voilà""",
    "de": """der die das den dem des ein eine einen einem einer und oder aber ist sind bin bist war waren sein
        haben hat habe hast ich du er sie es wir ihr mich mir dich dir uns euch mein meine dein nicht kein
        keine nichts noch schon auch nur sehr mit für von zu zum zur auf aus bei nach im um über wie was
        wann warum wo wer dass wenn weil heute immer jetzt hier mal doch danke bitte hallo geht gibt kann wird
        werden funktioniert seit ja nein man alles wieder mehr gerade schon seit stunden stunde tag tagen
        woche kunde kundenservice schlecht gut toll will muss kannst können
        weiß dann denn sich ihn ihm""",
    "pt": """o os um uma do da dos das em no na nos nas ao à com pelo pela pra que e ou mas não sim é está
        estão são sou estou foi era tem têm tenho ter eu você vocês ele ela nós eles elas meu minha seu sua
        isso isto este esta esse essa muito mais já também ainda sempre nunca nada ninguém hoje ontem
        obrigado obrigada olá oi aqui agora porque quando como onde quem qual tá tô vc né só então depois
        antes sem até funciona consigo fora ar caiu gente dia dias horas semana aplicativo serviço quero preciso
        pode posso sabe alguém estava
        vai fazer""",
}

# Words shared with another language that still lean strongly to one: (word, language, weight).
BOOST: tuple[tuple[str, str, float], ...] = (
    ("the", "en", 1.0), ("è", "it", 1.0), ("che", "it", 0.6), ("per", "it", 0.5), ("non", "it", 0.5),
    ("und", "de", 1.0), ("ist", "de", 0.6), ("nicht", "de", 0.6), ("não", "pt", 1.0), ("você", "pt", 1.0),
    ("está", "es", 0.3), ("pas", "fr", 0.6), ("est", "fr", 0.4), ("les", "fr", 0.4), ("des", "fr", 0.4),
    ("los", "es", 0.5), ("las", "es", 0.5), ("y", "es", 0.4), ("gli", "it", 0.6), ("il", "it", 0.4),
    ("you", "en", 0.5), ("is", "en", 0.5), ("grazie", "it", 1.0), ("gracias", "es", 1.0), ("merci", "fr", 1.0),
    ("danke", "de", 1.0), ("obrigado", "pt", 1.0), ("obrigada", "pt", 1.0), ("thanks", "en", 0.6),
)

# Shared short words: counted for every language that uses them, split evenly.
SHARED: dict[str, str] = {
    "a": "en it es fr pt", "de": "es fr pt", "la": "it es fr", "e": "it pt", "no": "en es it pt",
    "in": "en it de", "me": "en es fr pt", "se": "it es fr pt", "son": "es fr", "mi": "it es", "tu": "it es fr",
    "que": "es fr pt", "o": "it es pt", "um": "pt de", "come": "en it", "con": "it es", "si": "it es fr",
    "un": "it es fr", "una": "it es pt", "en": "es fr", "non": "it fr", "die": "en de", "was": "en de",
    "so": "en de", "also": "en de", "am": "en de", "an": "en de", "as": "en es pt fr", "he": "en es",
    "te": "es pt fr", "ha": "it es", "da": "it pt de", "le": "it fr es", "ma": "it fr", "es": "es de fr",
    "i": "en it", "al": "it es", "vez": "es pt", "porque": "es pt", "quando": "it pt",
    "mais": "fr pt", "para": "es pt", "por": "es pt", "uma": "pt", "todo": "es pt", "tem": "pt",
}

# Letters that point to languages (weights added once per distinct letter present).
LETTERS: dict[str, tuple[tuple[str, float], ...]] = {
    "ñ": (("es", 2.0),), "¿": (("es", 2.0),), "¡": (("es", 1.5),), "ã": (("pt", 2.5),), "õ": (("pt", 2.5),),
    "ç": (("fr", 1.0), ("pt", 1.0)), "ä": (("de", 2.0),), "ö": (("de", 2.0),), "ü": (("de", 2.0),),
    "ß": (("de", 2.5),), "ê": (("fr", 0.8), ("pt", 0.8)), "â": (("fr", 0.8), ("pt", 0.6)),
    "ô": (("fr", 0.8), ("pt", 0.6)), "î": (("fr", 1.2),), "û": (("fr", 1.2),), "ë": (("fr", 0.8),),
    "ï": (("fr", 0.8),), "œ": (("fr", 2.0),), "é": (("fr", 0.6), ("es", 0.3), ("pt", 0.3)),
    "á": (("es", 0.8), ("pt", 0.8)), "í": (("es", 0.8), ("pt", 0.6)), "ó": (("es", 0.8), ("pt", 0.6)),
    "ú": (("es", 0.8), ("pt", 0.4)), "è": (("it", 0.8), ("fr", 0.6)), "ò": (("it", 1.2),),
    "ì": (("it", 1.2),), "ù": (("it", 0.8), ("fr", 0.4)), "à": (("it", 0.6), ("fr", 0.5), ("pt", 0.3)),
}

# Word endings (last three or four letters of words the word lists do not know).
ENDINGS: dict[str, tuple[tuple[str, float], ...]] = {
    "ing": (("en", 0.5),), "ght": (("en", 0.5),), "ness": (("en", 0.5),), "ould": (("en", 0.5),),
    "ful": (("en", 0.4),), "ly": (("en", 0.3),), "ies": (("en", 0.4),), "ed": (("en", 0.2),),
    "zione": (("it", 0.8),), "zioni": (("it", 0.8),), "mente": (("it", 0.3), ("es", 0.3), ("pt", 0.2)),
    "issimo": (("it", 0.8),), "issima": (("it", 0.8),), "etto": (("it", 0.5),), "etta": (("it", 0.5),),
    "ato": (("it", 0.4), ("es", 0.1)), "ione": (("it", 0.6),), "ioni": (("it", 0.7),), "oni": (("it", 0.3),),
    "ata": (("it", 0.4),), "ati": (("it", 0.5),), "ate": (("it", 0.3),),
    "ere": (("it", 0.4),), "are": (("it", 0.4),), "ire": (("it", 0.3),), "ando": (("it", 0.3), ("es", 0.3)),
    "cion": (("es", 0.8),), "ado": (("es", 0.4), ("pt", 0.3)), "ada": (("es", 0.3), ("pt", 0.3)),
    "idad": (("es", 0.8),), "ciones": (("es", 0.8),), "amos": (("es", 0.3), ("pt", 0.3)),
    "eux": (("fr", 0.8),), "aux": (("fr", 0.6),), "ement": (("fr", 0.6),), "ais": (("fr", 0.5),),
    "ait": (("fr", 0.6),), "ons": (("fr", 0.4),), "oir": (("fr", 0.6),), "eur": (("fr", 0.5),),
    "ung": (("de", 0.8),), "lich": (("de", 0.8),), "keit": (("de", 0.8),), "heit": (("de", 0.8),),
    "chen": (("de", 0.6),), "isch": (("de", 0.6),), "ten": (("de", 0.3),), "gen": (("de", 0.3),),
    "cao": (("pt", 0.8),), "coes": (("pt", 0.8),), "inho": (("pt", 0.6),), "inha": (("pt", 0.6),),
    "agem": (("pt", 0.6),), "dade": (("pt", 0.6),), "oes": (("pt", 0.5),), "oa": (("pt", 0.2),),
}

# Letter clusters anywhere in a word.
CLUSTERS: dict[str, tuple[tuple[str, float], ...]] = {
    "sch": (("de", 0.5),), "tz": (("de", 0.3),), "ck": (("de", 0.2), ("en", 0.2)), "th": (("en", 0.3),),
    "wh": (("en", 0.4),), "gli": (("it", 0.4),), "zz": (("it", 0.3),), "cch": (("it", 0.4),),
    "lh": (("pt", 0.4),), "nh": (("pt", 0.4),), "ei": (("de", 0.15),),
    "oo": (("en", 0.2),), "ee": (("en", 0.2),), "ou": (("fr", 0.2), ("en", 0.1)),
    "qu": (("fr", 0.1), ("es", 0.1), ("it", 0.1)), "w": (("en", 0.15), ("de", 0.1)), "k": (("de", 0.1),),
}
