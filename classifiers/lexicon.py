"""Sentiment lexicon written for the rules tier: word valences per language, negators, intensifiers, emoji."""

from __future__ import annotations

from classifiers.textnorm import fold

# Valence -> words. A trailing "*" on a word marks an Italian/Spanish/Portuguese adjective stem that takes
# o/a/i/e (and -issimo superlatives), e.g. "pessim*" covers pessimo, pessima, pessimi, pessime, pessimissimo.
POSITIVE: dict[float, str] = {
    3.0: """love loved loving lovely amazing amazed awesome excellent fantastic fabulous outstanding superb
        brilliant wonderful perfect perfection incredible phenomenal best exceptional flawless stellar marvelous
        marvellous lifesaver legend legendary hero heroes thrilled delighted ecstatic beautifully gorgeous
        fantastic* bravissim* ottim* eccellente eccellenti perfett* stupend* meraviglios* splendid* magnific*
        eccezionale eccezionali spettacolare spettacolari spettacolo adoro amo grandios* favolos* impeccabile
        impeccabili strepitos* geniale geniali fenomenale fenomenali superlativ* benissimo
        excelente excelentes genial increible maravillos* encanta encantado encantada buenisim*
        magnifique formidable parfait parfaite genial adore incroyable merveilleux
        großartig grossartig perfekt genial wunderbar fantastisch hervorragend ausgezeichnet
        otimo otima maravilhos* incrivel perfeito perfeita adorei amei sensacional""",
    2.0: """great good nice happy glad thanks thank thankful grateful appreciate appreciated appreciating kudos
        helpful friendly kind smooth beautiful cool enjoy enjoyed enjoying fun pleased
        impressed impressive recommend recommended favorite favourite fave fav rock rocks rocked congrats
        congratulations yay woohoo hooray wow sweet comfortable comfy efficient professional courteous polite
        gem pleasure pleasant satisfied solid reliable resolved sorted luv shoutout props kudo happier
        proud smile smiling cute blessed winner
        felicita gioia amore sorriso sorridere emozionante emozione emozioni speranza serenita sereno
        fiducia orgoglio vittoria vincere vinto successo simpatic* dolce brillante entusiasmo entusiasta
        fortuna fortunat* straordinari* onesto onesta competente competenti auguri evviva viva divertimento
        grazie bell* brav* buon* felice felici content* soddisfatt* gentile gentili gentilissim* cortes* veloce
        veloci velocissim* rapid* efficient* efficientissim* piacevole complimenti congratulazioni evviva bene
        mitico mitica mitici figo fighi consiglio consigliato affidabile professionale professionali
        disponibile disponibili utile utili risolto risolta sistemato piace piaciuto piaciuta adorabile
        divertente divertenti fiero fiera orgoglioso carino carina carini soddisfazione
        gracias buen bueno buena buenos buenas feliz felices rapido amable contento contenta gusta
        merci super top bravo sympa rapide content contente heureux heureuse bien aime
        danke super toll klasse prima schnell freundlich zufrieden liebe lieben gut schön schoen
        obrigado obrigada parabens feliz rapido bom boa legal gostei adoro top""",
    1.0: """ok okay fine decent better fair worth worked cheers welcome hope hopefully interesting useful nicely
        ready excited safe fixed yes win won funny haha hahaha hahahah lmao ahah ahahah ahahahah ahahahahah ridere
        easier faster fast quick quickly easy
        ok speriamo interessante tranquillo pronto finalmente grande grandi
        vale esperanza bueno listo
        d'accord espere
        hoffentlich okay
        espero pronto""",
}

NEGATIVE: dict[float, str] = {
    3.0: """worst terrible horrible awful disgusting disgusted pathetic atrocious abysmal nightmare hate hated
        hates hating furious livid outraged outrageous unacceptable disgrace disgraceful shameful scam scammed
        fraud ripoff rip-off ridiculous incompetent incompetence useless worthless appalling appalled horrendous
        dreadful sucks suck sucked crap crappy shit shitty fuck fucking fucked wtf rude disaster disastrous
        pessim* schifo schifos* vergogna vergognos* vergognatevi orribile orribili terribile terribili
        disgustos* ridicol* scandalos* scandalo inaccettabile inaccettabili incompetent* truffa truffe
        truffatori ladri ladro incapace incapaci odio merda vaffanculo peggio peggiore peggiori squallid*
        oscen* disastro disastros* inutile inutili deficienti idioti idiota imbecille imbecilli schifezza
        pesim* horrible horribles terrible terribles asco basura odio peor peores estafa ridicul*
        inaceptable verguenza fatal nul nulle honte pire arnaque inadmissible scandaleux lamentable
        catastrophe schrecklich furchtbar katastrophe katastrophal frechheit unverschamt scheisse mist
        horrivel terrivel vergonha lixo odeio pior ridiculo absurdo""",
    2.0: """bad poor disappointed disappointing disappointment annoyed annoying frustrated frustrating frustration
        angry upset sad unhappy fail failed failure fails broken delay delayed delays late cancelled canceled
        cancellation stuck lost missing waste wasted worse unhelpful unprofessional inconvenience inconvenienced
        problem problems issue issues error errors complaint complain complaining ugh smh hassle sick tired
        rubbish garbage trash lie lies lied liar mess wrong damn damaged impossible horrid lousy lame mad hell
        mistake mistakes trouble irritating irritated refuse refused refusing disappeared hostage lowest chaos
        unable fault blame fml lack slow slower laggy spam spamming drains impossibile lacking neglect
        disrespectful disrespect shame cry crying tears pain painful
        hurt stress stressful bothered insult insulting sucks annoyance nightmare stupid idiot idiots dumb
        skifo skifezza fatica piangere pianto lamentarsi lamentela lamentele fals* bugiard* bugie menzogne
        mafia mafios* corrott* corruzione complotto pagliacci pagliaccio buffone buffoni buffonata vergognano
        vergognate detesto noia noios* annoiat* stressat* depress* disperat* disperazione rabbia nervos* paura
        terrore morte morto morire muore ammazzare guerra disoccupazione poveri povero tragedia tragic*
        dramma drammatic* catastrofe degrado disgusto pieta stupid* cretin* ignorante ignoranti ipocrita
        ipocriti ipocrisia arrogante arroganza presuntuos* mediocre mediocri scars* deludente deludenti
        amarezza dolore soffrire sofferenza sfortuna maledett* dannat* insopportabile insopportabili
        stronzo stronzi coglione coglioni cazzo cazzate malissimo schifos* pessimo tristissim* violenza
        overcharged charged stranded ruined ignored ignoring unreliable dirty sucky joke bs worthless
        deluso delusa delusi deluse delusione brutt* cattiv* lent* lentissim* arrabbiat* incazzat* stufo stufa
        stanco stanca problema problemi errore errori ritardo ritardi guasto guasta rott* bloccat* assurdo
        assurda triste tristezza purtroppo peccato fastidio fastidios* nervi reclamo reclami sbagliat* incubo
        ignobile fallimento fallito vergognoso mancante mancanti pena ansia schifato sfiga male maledetto
        malo mala malos lento lenta problema error decepcion decepcionado decepcionada mierda triste
        probleme erreur decu decue decevant deception colere marre lent lente bug
        schlecht schlimm enttauscht enttauschend argerlich peinlich langsam problem fehler
        decepcionado decepcao erro lento ruim chato problema raiva triste""",
    1.0: """wait waiting hold bother confused confusing unfortunately sorry missed concerned worried difficult
        hard expensive overpriced crash crashed crashing glitch bug bugs boring meh weird strange odd doubt
        nothing nobody no-one wtf cold hungry ugh hmm seriously
        attesa aspetto aspettando aspettare difficile complicat* strano strana preoccupato preoccupata dubbio
        mah boh costoso costosa niente nessuno nessuna crisi tasse
        espera dificil caro nadie nada
        attente difficile cher rien personne
        warten teuer niemand nichts
        espera dificil caro ninguem nada""",
}

NEGATORS = frozenset(fold(w) for w in """not no never nothing nobody none neither nor cannot can't cant don't dont
    doesn't doesnt isn't isnt wasn't wasnt won't wont didn't didnt aren't arent couldn't couldnt shouldn't
    wouldn't haven't havent hasn't hasnt ain't without hardly barely lack
    non mai nessun nessuno nessuna niente nulla né senza neanche nemmeno neppure
    nunca nada ningún ninguna ningun sin tampoco ni
    pas jamais rien aucun aucune sans n' ne
    nicht kein keine keinen keiner nie niemals nichts ohne
    não nunca nada nenhum nenhuma sem nem""".split())

INTENSIFIERS: dict[str, float] = {fold(w): 1.5 for w in """very so really extremely super totally absolutely
    incredibly too completely utterly truly such most fucking freaking damn literally seriously insanely
    molto troppo davvero proprio veramente tanto così assolutamente estremamente decisamente super
    muy tan demasiado realmente súper très trop vraiment tellement sehr echt total wirklich extrem voll
    muito tão demais realmente bem""".split()}
INTENSIFIERS.update({fold(w): 0.6 for w in """kinda sorta slightly bit little somewhat fairly quite
    abbastanza poco piuttosto algo poco peu etwas ziemlich pouco meio""".split()})

CONTRAST = frozenset(fold(w) for w in "but however though although yet ma però tuttavia pero mais "
                     "cependant aber jedoch mas porém contudo".split())

EMOJI: dict[str, float] = {}
for _valence, _chars in ((2.5, "❤♥😍🥰😘💕💖💗💙💚💛💜🧡🤩"), (2.0, "👍👏🙌🙏💯😊😀😃😄😁🎉🥳😇☺👌⭐🌟"),
                         (1.0, "😎✨🔥💪✅🤗😉🙂😆"), (0.5, "😂🤣"), (-3.0, "😡🤬😠👎🤮💩"),
                         (-2.0, "😤😒🙄😩😫😭😢😞😔🤦💔😣😖☹🙁😾🤢😱😰"), (-1.0, "😟😕😑❌⚠😬🥵🥶")):
    for _char in _chars:
        EMOJI[_char] = _valence
EMOTICONS: dict[str, float] = {":)": 2.0, ":d": 2.0, ";)": 1.0, ";d": 1.0, "=)": 2.0, ":p": 1.0, "xd": 1.0,
                               "<3": 2.5, ":(": -2.0, ":'(": -2.5, ":/": -1.0, "-_-": -1.5, ">:(": -3.0, ":@": -2.5,
                               "=(": -2.0, "=/": -1.0}
"""Emoticons as matched in lowercased text, noses ("-") removed."""


_NO_INFLECTION = frozenset({"late", "good", "kind", "like", "hard", "hell", "fine", "worth", "rock", "cool"})


def _expand(word: str) -> list[str]:
    """Spell out one lexicon entry: a word and its English inflections, or an adjective stem marked '*'."""
    if word.endswith("*"):
        stem = word[:-1]
        base = stem[:-5] if stem.endswith("issim") else stem
        forms = [stem + v for v in "oaie"] + [base + "issim" + v for v in "oaie"]
        if stem.endswith(("c", "g")):
            forms += [stem + "he", stem + "hi"]
        return forms
    if len(word) < 4 or not word.isalpha() or word in _NO_INFLECTION:
        return [word]
    stem = word[:-1] if word.endswith("e") else word
    return [word, word + "s", stem + "ed", stem + "ing", word + "ly"]


def build_valences() -> dict[str, float]:
    """Folded word -> valence (positive or negative); a listed word wins over an inflection of another."""
    table: dict[str, float] = {}
    listed: set[str] = set()
    for sign, groups in ((1.0, POSITIVE), (-1.0, NEGATIVE)):
        for strength, words in groups.items():
            for entry in words.split():
                word = fold(entry)
                for form in _expand(word):
                    value = sign * strength
                    is_listed = form == word or word.endswith("*")
                    if form in listed and not is_listed:
                        continue
                    if is_listed and form not in listed:
                        listed.add(form)
                        table[form] = value
                    elif abs(value) > abs(table.get(form, 0.0)):
                        table[form] = value
    for word in NEGATORS | INTENSIFIERS.keys() | CONTRAST:
        table.pop(word, None)
    return table


VALENCES = build_valences()
