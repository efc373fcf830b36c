"""One person's history: their posts newest first, the brand's answers, and their probable other accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from classifiers.base import Classification
from monitor.advocates import handle_stem
from monitor.history import person_history
from monitor.mention import Author, Mention
from monitor.settings import BrandSettings
from monitor.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACME = BrandSettings(name="Acme", handles=["@AcmeHelp"], keywords=["acme"])


def save(store: Store, ident: str, source: str, author: Author, minutes: float, text: str, label: str = "complaint",
         reply_to: str | None = None, **extra: Any) -> None:
    mention = Mention(ident, source, T0 + timedelta(minutes=minutes), text, author, url=f"https://ex.test/{ident}",
                      in_reply_to=reply_to, brand="Acme", extra=extra)
    store.save_batch([(mention, "Acme", Classification(label, "negative", "en"))])


def test_handle_stems_drop_the_networks_decoration() -> None:
    assert handle_stem("@Giorgio_1769") == handle_stem("giorgio1769.bsky.social") == "giorgio1769"
    assert handle_stem("giorgio_1769@mastodon.uno") == handle_stem("Giorgio.1769") == "giorgio1769"


def test_history_has_the_posts_newest_first_with_the_brands_answers_and_other_accounts(store_url: str) -> None:
    store = Store(store_url)
    giorgio = Author("111", "giorgio_1769", name="Giorgio B", followers=320)
    save(store, "1", "x", giorgio, 0, "@acme where is my parcel?", "question")
    save(store, "2", "x", giorgio, 30, "@acme still nothing, third day", "complaint")
    save(store, "3", "x", Author("care", "acme_care"), 50, "@giorgio_1769 sorry! DM us", "other", reply_to="2",
         brand_reply=True)
    save(store, "4", "x", Author("900", "AcmeHelp"), 100, "@giorgio_1769 here is how", "other", reply_to="1")
    save(store, "5", "x", giorgio, 120, "@acme it arrived, thanks", "praise")
    save(store, "6", "bluesky", Author("did:plc:g", "giorgio1769.bsky.social"), 5, "acme parcel?", "question")
    save(store, "7", "mastodon", Author("https://m.uno/@g", "giorgio_1769@mastodon.uno"), 6, "acme?", "question")
    save(store, "8", "bluesky", Author("did:plc:h", "giorgio17.bsky.social"), 7, "acme", "other")
    history = person_history(store, "x", "111", [ACME])
    assert history is not None
    assert (history.handle, history.name, history.followers) == ("giorgio_1769", "Giorgio B", 320)
    assert history.profile_url == "https://x.com/giorgio_1769"
    assert [e.text for e in history.entries] == ["@acme it arrived, thanks", "@acme still nothing, third day",
                                                 "@acme where is my parcel?"]
    praise, complaint, question = history.entries
    assert praise.answer is None
    assert (complaint.answer_by, complaint.answer_minutes) == ("acme_care", 20.0)
    assert (question.answer, question.answer_minutes) == ("@giorgio_1769 here is how", 100.0)  # the brand's handle
    assert history.by_label == {"question": 1, "complaint": 1, "praise": 1}
    assert {(o["source"], o["handle"]) for o in history.elsewhere} == {
        ("bluesky", "giorgio1769.bsky.social"), ("mastodon", "giorgio_1769@mastodon.uno")}
    assert history.to_json()["entries"][0]["at"] == "2026-03-02T11:00:00+00:00"
    assert person_history(store, "x", "nobody") is None
    store.close()
