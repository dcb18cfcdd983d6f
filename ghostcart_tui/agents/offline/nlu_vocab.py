"""Word lists shared by the offline NLU modules. Lower-case; multi-word entries are phrases."""

from __future__ import annotations


def _w(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that never name a product. Anything not here (and not consumed as money, time,
# quantity or a verb) is kept as part of the product query.
FILLER = _w(
    """
    a an the some any this that these those my your our his her their its it's each every
    another other others i i'm im i'd i'll ill i've me you you're u ur we us they them they're
    it he she him one ones myself y'all yall
    is are was were be been being am do does did done doing can could would will should shall
    may might must have has had having 's gonna
    what what's whats which who whom how where why when whenever if once unless
    and or but so then than to of for in on at by from with without about into onto up down
    out off over as via per just only also too very really quite even still
    please pls plz kindly thanks thank thx ty cheers hi hello hey yo hiya howdy sup
    ok okay yes yeah yep yup sure no nope nah not don't dont can't cant won't wont isn't aren't
    buy buying bought order ordering purchase purchasing get getting grab grabbing take give
    gimme send need needs needed want wants wanted wanna like love prefer find finding search
    searching look looking show showing list browse browsing see view explore check checkout
    recommend suggest compare add adding put place snag
    cart basket price prices priced pricing cost costs costing budget spend spending pay paying
    paid money cash dollars dollar bucks buck usd total subtotal tax taxes shipping ship ships
    shipped delivery deliver delivered delivering deliveries arrive arrives arriving arrival fast
    faster fastest quick quickly express expedited free included including incl
    drop drops dropped dropping fall falls falling dip dips goes go going gone come comes coming
    hits hit reach reaches reached gets become becomes sale sales discount discounted deal deals
    cheaper cheap cheapest lower lowest less least more most below under beneath above
    maximum minimum min tops reduced stock restock restocked available availability back again
    soon asap notify notified notification alert alerts alerted remind tell ping know let keep
    eye eyes tabs wait waiting until till til watching monitoring tracking automatically auto
    autobuy auto-buy
    day days week weeks month months hour hours year years today tomorrow tonight now next
    overnight business working calendar weekend fortnight
    monday tuesday wednesday thursday friday saturday sunday morning afternoon evening
    maybe perhaps thinking think considering consider wondering wonder possibly probably guess
    idea thoughts debating torn interested idk
    stuff thing things item items product products something anything everything options option
    selection choice choices catalog catalogue store shop kind kinds sort sorts type types range
    new good great nice best decent quality affordable cool awesome perfect right fine well
    actually oh ah um uh hmm lol pretty bit little lot lots much many several few couple pair
    dozen piece pieces unit units pcs qty quantity x times
    ahead proceed confirm confirmed approve approved cancel stop abort nevermind mind forget
    scratch undo decline reject skip pass
    help work works ghostcart bot assistant
    use using try trying switch change retry different instead within whole stays stay
    sell sells selling carry carries offer offers there here let's lets number num nr option
    choice result results takes taking took make makes made guys folks
    nothing got after ever never night bye goodbye later sounds sound looks seems raise bump
    increase decrease limit adjust reduce changed pick picked choose select way anymore longer
    else time possible hold shopping changes checking whatever whichever yet
    zero two three four five six seven eight nine ten eleven twelve
    """
)

STRONG_BUY = _w("buy order purchase grab checkout snag reorder")
WEAK_BUY = _w("want wanna need")
# "order"/"purchase" after these are nouns ("my order").
NOUN_DETERMINERS = _w("my the your an a this that our last previous recent first his her their")

SEARCH_VERBS = _w(
    "find search searching look looking show list browse browsing explore compare recommend "
    "suggest see view finding recommendations recommendation suggestions"
)
SEARCH_PHRASES = [
    "do you have", "do you sell", "do you carry", "do you stock", "do you guys have",
    "do y'all have", "do you offer", "have you got", "you got any", "got any", "have any",
    "is there", "are there", "what kind", "what kinds", "what sort", "what type", "what types",
    "how much", "price of", "prices of", "what's available", "what is available",
    "what's on sale", "what is on sale", "anything on sale", "in the market for",
    "shopping for", "options for", "what do you", "cheapest", "best", "which", "check if",
    "see if", "check whether", "find out if", "find out whether", "if you have", "if you carry",
    "if you sell", "whether you have",
]
# Availability questions are searches unless a purchase verb says otherwise.
SOFT_SEARCH_PHRASES = ["in stock", "available", "availability", "do they have", "is it in"]
HEDGE_PHRASES = [
    "thinking about", "thinking of", "maybe", "perhaps", "considering", "not sure",
    "should i", "might", "wondering", "debating", "torn between", "what about", "how about",
    "idk", "thoughts on", "do i need", "possibly", "undecided",
]

# Watch/monitor/track are verbs only at a clause start or after these.
VERB_PREV = _w(
    "please pls plz can could would will you u to and then also just go i i'll ill , ; . ! ? "
    "start keep me kindly pls price"
)
WATCH_VERBS = _w("watch monitor track")
WATCH_NOUN_NEXT = _w(
    "band bands strap straps charger stand arm mount cable case cases face faces screen battery"
)
TRACK_OBJECTS = _w("order orders package packages shipment shipments delivery parcel")

CONDITION_PHRASES = [
    "let me know", "lmk", "notify", "notified", "alert me", "set an alert", "set up an alert",
    "price alert", "ping me", "tell me when", "tell me if", "remind me", "keep an eye",
    "keep watching", "keep checking", "keep tabs", "keep track", "wait for", "wait until",
    "wait till", "wait til", "hold off", "goes on sale", "go on sale", "gets discounted",
    "get discounted", "is discounted", "are discounted", "gets cheaper", "get cheaper",
    "becomes cheaper", "become cheaper", "back in stock", "in stock again", "restock",
    "restocked", "restocks", "comes back", "available again", "becomes available",
    "auto-buy", "autobuy", "auto buy", "automatically", "price drop", "price drops",
    "as soon as", "whenever", "the moment", "the minute", "watching", "monitoring",
    "tracking", "is on sale", "are on sale", "it's on sale", "they're on sale", "price watch",
]
DROP_VERBS = _w(
    "drop drops dropped dropping fall falls falling dip dips dipped sinks sink goes go comes come "
    "gets get hits hit reaches reach"
)
DROP_NEXT = _w("below under to beneath lower down less $ by in")
IF_NEXT_EXCLUDE = _w("possible you any so not there available ever needed")
IF_PREV_EXCLUDE = _w("see check what wonder wondering sure ask asking even know")
WHEN_NEXT_EXCLUDE = _w(
    "will does do did can could would should was were you possible ready convenient"
)

HELLO_WORDS = _w(
    "hi hello hey yo hiya howdy sup thanks thank thx ty cheers bye goodbye help morning evening"
)

CONFIRM_HEADS = _w(
    "yes yeah yep yup ya yas sure ok okay k y confirm confirmed approve approved proceed ahead "
    "buy get order purchase sign place works fine alright absolutely definitely perfect great "
    "good cool add one yess"
)
CONFIRM_VOCAB = CONFIRM_HEADS | _w(
    "go do it please pls that this the them those these let's lets sounds right of course and "
    "thanks thank you i'll ill take i'd like to cart basket my order it's looks sign me just "
    "now go-ahead totally lgtm that's thing i"
)
DECLINE_HEADS = _w(
    "no nope nah n not don't dont decline declined reject rejected deny denied pass skip changed"
)
DECLINE_VOCAB = DECLINE_HEADS | _w(
    "thanks thank you now do it that buy i i'll ill i'd i'm im changed my mind rather later "
    "please pls sign good fine ok okay this time want to anymore any more longer need it's "
    "them"
)
CANCEL_HEADS = [
    "cancel", "stop", "abort", "nevermind", "never mind", "forget it", "forget that",
    "forget about", "scratch that", "undo", "call off", "call it off", "halt", "unsubscribe",
    "don't watch", "dont watch", "quit",
]
CANCEL_LEAD = _w(
    "no nope wait actually oh ok okay please pls hmm um just oops sorry i want to you can could "
    "would ahh ah , . ! nah"
)
CANCEL_FILLER = _w(
    "order orders monitoring monitor watch watching tracking job jobs alert alerts request "
    "purchase intent mandate that it everything all off"
)

PAYMENT_WORDS = _w(
    "card cards visa mastercard amex discover debit credit paypal master express pay wallet"
)
CARD_BRANDS = {
    "visa": "visa", "mastercard": "mastercard", "master": "mastercard", "amex": "amex",
    "american": "amex", "discover": "discover", "debit": "debit", "credit": "credit",
    "paypal": "paypal",
}
RETRY_CUES = _w("use using try switch change charge another different other retry again with")

ORDINAL_WORDS = {
    "first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "seventh": 6,
    "eighth": 7, "ninth": 8, "tenth": 9, "last": -1, "1st": 0, "2nd": 1, "3rd": 2,
}
ORDINAL_MARKERS = _w("# number num no nr option item choice result pick product")
ORDINAL_PREV_EXCLUDE = _w("a one per every each split")
CHOOSE_PHRASES = ["go with", "going with", "i'll go with", "choose", "pick", "select", "take"]

POSSESSIVES = _w("my our his her their your")
