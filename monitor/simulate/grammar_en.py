"""English template grammar: slots and templates per kind and topic, written for the simulator."""

from __future__ import annotations

# {B} is the brand as addressed (a handle, or its name on Reddit), {Bn} its name; brand slots such as {purchase},
# {bill}, {q_body} come from the brand's spec. Non-outage kinds must never use outage phrases ("down", "not
# working", "can't log in", "is it just me", "#fail"): the rules classifier treats those as outage reports.
SLOTS: dict[str, list[str]] = {
    "again": ["", "", " again", " AGAIN", " again?!", " again..."],
    "annoy": ["So annoying.", "Unreal.", "Every. Single. Time.", "Sort it out.", "Fix it please.", "Seriously?",
              "Not impressed.", "I'm done.", "come on!!", "Ridiculous.", "This is getting old.", "Why??", ""],
    "since": ["for an hour", "since this morning", "for 20 minutes", "since lunch", "for the last half hour",
              "for ages", "since 2pm", "for like 15 min"],
    "need": ["I need to pay someone", "I have an order to place", "I need my receipt for work",
             "I need to check my order", "I need to send money today", "my rent is due"],
    "see": ["just spins", "just shows a blank screen", "times out", "throws a 503", "gives a 502",
            "is stuck on the loading screen", "shows 'something went wrong'"],
    "fail_tag": ["", "", "", " #fail", " #fail", " #outage", " #epicfail"],
    "emo_neg": ["😡", "🙄", "😤", "😩", "🤦", "👎", "😠", "💀", "😒", ""],
    "emo_pos": ["❤️", "🙌", "😍", "👏", "🔥", "✨", "💯", "🥰", "😊", "👍", ""],
    "emo_neu": ["🤔", "👀", "😅", "🙂", "", ""],
    "wait": ["two weeks", "10 days", "a month", "3 weeks", "four days", "5 working days"],
    "hold": ["45 minutes on hold", "an hour on the phone", "three chats", "two emails and a DM",
             "20 minutes in the chat queue"],
    "thanks": ["thank you", "thanks", "cheers", "big thanks", "massive thanks"],
    "wow": ["honestly impressed", "wow", "10/10", "love it", "can't complain", "so good", "chef's kiss"],
    "same": ["same here", "same", "same for me", "+1", "me too", "yep same", "literally same"],
}

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "outage": {
        "any": [
            "{B} is down{again}? {emo_neg}{fail_tag}",
            "is {Bn} down for anyone else?{fail_tag}",
            "Is it just me or is {Bn} down? {emo_neg}",
            "{B} down{again}. {annoy}{fail_tag}",
            "{Bn} is down and {need}. {annoy}",
            "{B} not working {since} {emo_neg}",
            "{Bn} down again?? {emo_neg}{fail_tag}",
            "anyone else? {Bn} not working at all here",
            "{B} is it just me? nothing works {emo_neg}",
            "{B} whole thing is down {since}. any ETA?",
            "{B} is {Bn} down or is it my wifi",
        ],
        "login": [
            "can't log in to {Bn} {since}. is it just me?",
            "{B} can't log in, it {see} {emo_neg}{fail_tag}",
            "{B} login not working{again} {annoy}",
            "can't log in to {B} on the app or the website. down?",
            "{B} 2FA codes not working, can't log in {emo_neg}",
            "is {Bn} login down? it {see}",
        ],
        "payments": [
            "{B} payments not working, checkout {see} {emo_neg}",
            "can't pay with {Bn} right now, is it down?{fail_tag}",
            "{B} card payments not working {since}. {annoy}",
            "is {Bn} payments down? {need} {emo_neg}",
            "{B} checkout is down{again}. payment {see}",
            "{B} transfers not working, money stuck on pending. is it just me?",
        ],
        "app": [
            "{B} app is down, it {see} {emo_neg}",
            "{Bn} app not working{again}{fail_tag}",
            "is the {Bn} app down? it {see}",
            "{B} app not working on iOS or Android {since}",
            "{B} your app is down. {annoy}",
        ],
        "website": [
            "{B} website is down, it {see}{fail_tag}",
            "{Bn} website not working {since} {emo_neg}",
            "is {Bn}'s site down? it {see}",
            "{B} site down{again}. {annoy}",
        ],
    },
    "complaint": {
        "any": [
            "{B} {hold} and still no answer. {annoy}",
            "{B} your support keeps sending copy-paste replies that solve nothing {emo_neg}",
            "{B} I've DMed you twice, no reply. {annoy}",
            "worst customer service ever {B} {emo_neg}",
            "{B} why is it impossible to talk to a human?",
            "{B} you closed my ticket without fixing anything. {annoy}",
            "disappointed with {B} lately {emo_neg} #customerservice",
            "{B} your chatbot is useless {emo_neg}",
        ],
        "login": [
            "{B} why do I have to reset my password every single week? {annoy}",
            "{B} the 2FA code takes ages to arrive, every time {emo_neg}",
            "{B} logged me out after the update{again}. third time this week",
            "{B} your new sign-in flow is so confusing {emo_neg}",
        ],
        "payments": [
            "{B} charged me twice for the same {purchase}, still waiting for the refund {emo_neg}",
            "{B} refund promised {wait} ago, nothing yet. {annoy}",
            "{B} why is my payment still pending after 3 days?",
            "{B} you took the money but the {purchase} shows unpaid {emo_neg}",
        ],
        "app": [
            "{B} the new app update is awful, I can't find anything anymore {emo_neg}",
            "{B} app drains my battery like crazy since the update",
            "{B} the app keeps spamming me with notifications. {annoy}",
            "{B} why does the app need my location for this?",
            "{B} app is so slow since the redesign {emo_neg}",
        ],
        "website": [
            "{B} your website is painfully slow, 5 minutes to see one page {emo_neg}",
            "{B} the site asks for my address every single time. {annoy}",
            "{B} why is the cancel option hidden so deep on the website?",
        ],
        "delivery": [
            "{B} my parcel is 4 days late and tracking hasn't moved {emo_neg}",
            "{B} courier marked it delivered but nothing at my door. {annoy}",
            "{B} delivery window 9-13, nobody came{again} {emo_neg}",
            "{B} half my order missing and the rest squashed #disappointed",
            "{B} driver left my parcel in the rain. {annoy}",
            "{B} third late delivery this month {emo_neg}",
        ],
        "billing": [
            "{B} why was I billed for a subscription I cancelled?",
            "{B} hidden fees on my {bill}{again} {emo_neg}",
            "{B} my {bill} doubled this month and nobody can explain why. {annoy}",
            "{B} the {bill} shows the wrong address, 3 emails and no answer",
        ],
    },
    "praise": {
        "any": [
            "{thanks} {B}! {good_thing} {emo_pos}",
            "{B} {good_thing}, {wow} {emo_pos}",
            "shoutout to {B} support, sorted my issue in 5 minutes {emo_pos}",
            "{Bn} is honestly the best app on my phone {emo_pos}",
            "{B} you guys rock {emo_pos}",
            "have to say it: {good_thing}. {thanks} {B} {emo_pos}",
            "been with {Bn} for years and still happy {emo_pos}",
            "{B} the new update is so much faster, {wow} {emo_pos}",
        ],
    },
    "question": {
        "any": [
            "{B} {q_body}",
            "hey {B}, {q_body}",
            "quick question {B}: {q_body}",
            "{q_body} {B} {emo_neu}",
            "does anyone know: {q_body} {B}",
        ],
    },
    "other": {
        "any": [
            "{chatter}",
            "{chatter} {emo_neu}",
            "{chatter} lol",
        ],
    },
    "promo_praise": {
        "any": [
            "just got {deal} with {promo} {emo_pos}",
            "{promo} is live and the deals are actually good {B} {emo_pos}",
            "grabbed the {promo} deal, {wow} {emo_pos}",
            "{B} {promo} saved me a lot this week, {thanks}! {emo_pos}",
            "ok {Bn}'s {promo} is worth it {emo_pos}",
        ],
    },
    "promo_other": {
        "any": [
            "{share_text}",
            "{promo} everywhere on my feed today",
            "seen the {Bn} {promo} ad? {emo_neu}",
            "{promo} starts today, {deal} at {Bn}",
            "who's trying {promo}? {emo_neu}",
        ],
    },
    "promo_question": {
        "any": [
            "{B} does {promo} work for existing customers?",
            "{B} how long does {promo} last?",
            "{B} can I combine {promo} with my voucher?",
        ],
    },
    "recovery": {
        "any": [
            "{B} back up now, {thanks} for fixing it",
            "ok {Bn} works again {emo_neu}",
            "{Bn} is back. that was a long hour {emo_neu}",
            "{B} all good again on my side {emo_pos}",
        ],
    },
    "reply_outage": {
        "any": [
            "{same}, {Bn} is down for me too",
            "{same}, not working here either {emo_neg}",
            "{same}. can't log in to {Bn} either",
            "not just you, {Bn} is down{fail_tag}",
        ],
        "login": [
            "{same}, can't log in to {Bn} either {emo_neg}",
            "{same}. login not working here either",
        ],
        "payments": [
            "{same}, payments not working for me either {emo_neg}",
            "{same}. checkout is down here too",
        ],
        "app": [
            "{same}, the app is down for me too",
            "{same}. app not working here either {emo_neg}",
        ],
        "website": [
            "{same}, site is down here too",
            "{same}. website not working for me either",
        ],
    },
    "reply_complaint": {
        "any": [
            "{same}, exactly this happened to me with {Bn}. {annoy}",
            "{same} {emo_neg} {Bn} never answers",
            "happened to me last month too, {Bn} never fixed it",
        ],
    },
    "reply_question": {
        "any": [
            "you can do it in the app under Settings > Account, worked for me",
            "I asked {Bn} the same thing, they said it's on the website {emo_neu}",
            "try the help page, it's all there",
        ],
    },
    "reply_praise": {
        "any": [
            "{same}, {Bn} has been great for me too {emo_pos}",
            "agreed, {wow} {emo_pos}",
        ],
    },
}
