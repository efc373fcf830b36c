"""The outage-report training and evaluation sets built from the power-outage tweets (no per-tweet labels there)."""

from __future__ import annotations

import random
import re
from pathlib import Path

from classifiers.datasets import OutageTweet, outage_tweets

EVAL_SEED = 2019
EVAL_SIZE = 220
HAND_LABELED: tuple[tuple[str, int], ...] = (
    ("1082972337170014208", 1), ("1086296966567481348", 0), ("1089781628010782720", 1), ("1082988865516957697", 1),
    ("1086303572105592834", 1), ("1090356711792279558", 0), ("1086310188561375232", 0), ("1090349065450209281", 1),
    ("1086464862652252162", 1), ("1090322467233693696", 0), ("1090200401863995392", 1), ("1090338487923023873", 1),
    ("1086392637291220992", 0), ("1086726956022988801", 0), ("1090255336475451392", 1), ("1086291051625746432", 0),
    ("1086736269349138432", 0), ("1089572866994126854", 0), ("1082691997868179456", 1), ("1086471198769201152", 1),
    ("1090380325472141312", 0), ("1082546462309924864", 1), ("1086651235959226368", 1), ("1086656137464815616", 1),
    ("1086553167217770496", 1), ("1086348768461680640", 0), ("1083101739266592775", 0), ("1089710113236156417", 1),
    ("1090031907679752193", 1), ("1082787820165578752", 1), ("1082793656682086401", 0), ("1090021007165923328", 0),
    ("1082978644933427200", 1), ("1086389395014455297", 0), ("1089467466906890241", 0), ("1086715694614487040", 1),
    ("1082645733319180288", 1), ("1083048296325791750", 0), ("1082824718816870401", 0), ("1082613546523987968", 1),
    ("1082638374782013445", 0), ("1082674018526904320", 1), ("1086696030035423233", 1), ("1086477319756279809", 0),
    ("1090349779291262976", 1), ("1090396926011457537", 0), ("1089607724353142785", 0), ("1090239312078225408", 1),
    ("1086768974153613312", 0), ("1086399712423481351", 0), ("1090253282046545921", 0), ("1086704378566922241", 0),
    ("1083044658559610881", 1), ("1090215965445550080", 1), ("1086374267153985537", 0), ("1083130394118103040", 1),
    ("1086372620805853184", 0), ("1082780367793373185", 1), ("1090092437463330816", 1), ("1086431054062325762", 0),
    ("1089805364974047232", 1), ("1083057017395253249", 1), ("1086555053148725249", 1), ("1082502135940608000", 1),
    ("1086298681270300672", 1), ("1086406608769466368", 0), ("1083119620515602432", 1), ("1090109944333025281", 1),
    ("1086551237074403328", 1), ("1082444547723022336", 1), ("1083008521833205762", 0), ("1086456794183057408", 0),
    ("1082695452380856321", 1), ("1082889726913261568", 1), ("1082728371417743361", 1), ("1089852405879996416", 1),
    ("1086762307445841921", 0), ("1086691160905711618", 0), ("1090290725839929344", 1), ("1083025409128697857", 1),
    ("1089584372578160640", 0), ("1086631910200299525", 0), ("1083039455127224321", 1), ("1086670231488135169", 0),
    ("1089820726503235584", 0), ("1086294358968754177", 0), ("1089916834181206019", 0), ("1086753364048859142", 0),
    ("1086462488101703681", 1), ("1086431956579962880", 1), ("1089565622873350145", 0), ("1086772005456789505", 1),
    ("1086318567635775489", 0), ("1086321614097129473", 0), ("1089755515381415936", 0), ("1086372576971022336", 1),
    ("1082579551274835968", 0), ("1086723183351422982", 1), ("1086623160240345088", 0), ("1086261430431694848", 0),
    ("1083048062807793664", 0), ("1082853774341873670", 1), ("1086763888648114176", 0), ("1089843559015043072", 1),
    ("1086634715971506176", 0), ("1086290752102170625", 0), ("1086398561330307072", 0), ("1089946986378334208", 0),
    ("1089807099733905408", 1), ("1086469652925112322", 0), ("1090322796880773120", 1), ("1086406434869391361", 0),
    ("1086428405841694723", 0), ("1082622952275959808", 0), ("1082651654800003074", 0), ("1086752997051453442", 0),
    ("1090017620659789824", 1), ("1090364065166307328", 0), ("1082690378128637952", 1), ("1086564113491394561", 0),
    ("1089927226290778112", 0), ("1082859828496592896", 1), ("1083110065027141638", 1), ("1086305854415081475", 0),
    ("1089894712637640711", 1), ("1090323973307432960", 1), ("1086583665650487296", 1), ("1086647023917506561", 0),
    ("1086276235133620224", 0), ("1082707350073466880", 0), ("1082960284036124672", 1), ("1082831417246126080", 1),
    ("1089988230030725120", 1), ("1086704087511564290", 1), ("1089488261259689989", 1), ("1083049934461587456", 1),
    ("1082725659137527808", 0), ("1086321798516334598", 1), ("1086757989330141184", 0), ("1089465948573257728", 0),
    ("1090308639645155328", 1), ("1082583299783036928", 0), ("1082779978922639362", 0), ("1086327862838218753", 1),
    ("1090282176250347520", 1), ("1086408409325424640", 0), ("1089591896832385024", 0), ("1082711721423314949", 1),
    ("1086351968690454534", 0), ("1090093004256407552", 1), ("1089638981136830469", 0), ("1082663196769599490", 1),
    ("1086610300881850368", 0), ("1086522375275982849", 1), ("1086260603163942913", 1), ("1086506792933384192", 0),
    ("1083102246110404614", 1), ("1083065692289675264", 1), ("1083070829850578944", 1), ("1089699369152958464", 1),
    ("1082727451346853888", 1), ("1086752003898916864", 0), ("1082479186189664256", 1), ("1083019019417014273", 1),
    ("1082679621366284291", 1), ("1082848120524947456", 1), ("1090193738851332096", 1), ("1086499784414978048", 0),
    ("1086674464740335621", 1), ("1086321890694705152", 0), ("1090335241309511681", 0), ("1082721060678598656", 1),
    ("1082739998519160832", 0), ("1089968704790642689", 0), ("1086283649459384320", 0), ("1089818767436087296", 0),
    ("1086438897213734912", 0), ("1086293110106157056", 1), ("1089978930914836480", 1), ("1090245881662709760", 1),
    ("1086630466562646017", 0), ("1086744216150179840", 0), ("1086275300235739141", 1), ("1082461465095872517", 0),
    ("1090200992300392448", 0), ("1086317123788566530", 1), ("1090380911059918854", 0), ("1090363969573769216", 1),
    ("1082690309673439234", 1), ("1086241657325084673", 0), ("1089952535870390275", 1), ("1090236053083119616", 1),
    ("1089543801251737601", 1), ("1090309049688612864", 0), ("1089995668595400705", 1), ("1086295455892471809", 1),
    ("1086527168031670272", 1), ("1086313208367874048", 0), ("1083117557203255302", 0), ("1082456870688673792", 0),
    ("1090073310602321921", 0), ("1082653900052852737", 1), ("1090320338846707718", 1), ("1089875951587086338", 0),
    ("1090307626972446720", 1), ("1083120037815185409", 1), ("1089491016955187201", 1), ("1082771514985013248", 1),
    ("1086724311203876864", 0), ("1086735010256818177", 0), ("1086279893057384449", 1), ("1090212412383477760", 1),
    ("1086405429406695425", 0), ("1086388330437193730", 1), ("1089511700167098368", 1), ("1082830366820499456", 0),
    ("1086626002439151617", 0), ("1082676328799846400", 0), ("1082521675193700352", 1), ("1086379127643475968", 0),)
"""Tweet id -> 1 when the tweet reports an outage happening now (or just now, not yet fixed) somewhere specific or
to its author, 0 otherwise (forecasts, advice, hypotheticals, outages already restored, other senses).
Labeled by hand by reading each tweet of the seeded sample `eval_sample`; never trained on."""

_POSITIVE = re.compile("|".join((
    r"\b(?:power|electricity|lights?)\s+(?:is|are|went|has been|have been|was|been|still)\s+(?:out|off|down|gone)\b",
    r"\b(?:no|without|lost|lose|losing)\s+(?:power|electricity|lights)\b(?!\s+(?:outages?|lines?))",
    r"\b(?:power\s+)?outages?\s+(?:in|at|on|near|across|around)\s+(?:the\s+)?[A-Z0-9]",
    r"\b(?:experiencing|having|had|have|got|getting)\s+(?:a|an|another|the)?\s*(?:power\s+)?outages?\b",
    r"\b(?:this|another|massive|huge|major|large)\s+(?:power\s+)?outage\b",
    r"\b(?:due to|because of|caused by)\s+(?:a|an|the)\s+(?:power\s+)?outage\b",
    r"\b(?:update|news|eta|etr)\s+(?:on|about)\s+(?:the\s+)?(?:power\s+)?outage\b",
    r"\bcrews?\s+(?:are|is)\s+(?:working|on scene|investigating)\b",
    r"\b(?:customers|homes|households|residents|people)\s+(?:are\s+)?(?:still\s+)?without\s+power\b",
)), re.IGNORECASE)
_NEGATIVE = re.compile("|".join((
    r"\b(?:possible|possibility|potential|could|may|might|likely|expected|expect|forecast|risk|threat|chance)\b",
    r"\b(?:prepare|prepared|preparing|prep|ready|tips?|in case of|in the event|if you|safety|safe)\b",
    r"\b(?:has|have|had) been restored\b|\brestored to all\b|\b(?:power|lights?) (?:is|are) back\b",
    r"\b(?:will|would|gonna|going to)\b",
)), re.IGNORECASE)


def weak_label(text: str) -> int | None:
    """1 or 0 when the weak rules agree on the tweet, None when they are silent or contradict each other."""
    positive = _POSITIVE.search(text) is not None
    negative = _NEGATIVE.search(text) is not None
    if positive and not negative:
        return 1
    if negative and not positive:
        return 0
    return None


def dedupe_key(text: str) -> str:
    """Lowercase words only, links dropped: retweets and copies share it."""
    return re.sub(r"\W+", " ", re.sub(r"https?://\S+", "", text.lower())).strip()


def unique_tweets(data: Path) -> list[OutageTweet]:
    """The tweets in id order, one per dedupe key."""
    seen: set[str] = set()
    unique = []
    for row in sorted(outage_tweets(data), key=lambda r: r.id):
        key = dedupe_key(row.text)
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return unique


def eval_sample(data: Path) -> list[OutageTweet]:
    """The seeded sample that HAND_LABELED labels."""
    return random.Random(EVAL_SEED).sample(unique_tweets(data), EVAL_SIZE)


def eval_set(data: Path) -> tuple[list[str], list[int]]:
    """The hand-labeled tweets (texts read from the data, labels from HAND_LABELED)."""
    labels = dict(HAND_LABELED)
    rows = [r for r in unique_tweets(data) if r.id in labels]
    return [r.text for r in rows], [labels[r.id] for r in rows]


def more_hand_labels(data: Path) -> dict[str, int]:
    """Text -> label of the further hand-labeled training tweets (heads only), none of them near the evaluation set."""
    from classifiers.outage_hand_train_more import HAND_LABELED_TRAIN_MORE

    held = {dedupe_key(r.text) for r in eval_sample(data)}
    labels = dict(HAND_LABELED_TRAIN_MORE)
    return {r.text: labels[r.id] for r in unique_tweets(data) if r.id in labels and dedupe_key(r.text) not in held}


def weak_set(data: Path) -> tuple[list[str], list[int]]:
    """Training tweets outside the evaluation sample: hand labels where we have them, else the weak rules' agreement."""
    from classifiers.outage_hand_train import HAND_LABELED_TRAIN

    held = {dedupe_key(r.text) for r in eval_sample(data)}
    hand = dict(HAND_LABELED_TRAIN)
    texts, labels = [], []
    for row in unique_tweets(data):
        if dedupe_key(row.text) in held:
            continue
        label = hand.get(row.id, weak_label(row.text))
        if label is not None:
            texts.append(row.text)
            labels.append(label)
    return texts, labels
