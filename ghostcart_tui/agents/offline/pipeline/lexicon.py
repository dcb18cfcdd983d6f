"""Words the pipeline knows, as data: catalog aliases, category words, products the store does not
carry, and the cue words of each act. Extending the vocabulary means editing this file only."""

from __future__ import annotations

# Extra names shoppers use for demo products (name tokens and bigrams are indexed automatically).
ALIASES: dict[str, tuple[str, ...]] = {
    "prod_airpods_001": ("airpods", "airpod", "apple", "apple earbuds", "earbuds", "earbud", "earphones",
                         "in ear headphones", "noise cancelling earbuds"),
    "prod_headphones_001": ("sony", "xm5", "wh1000xm5", "1000xm5", "over ear headphones", "noise cancelling headphones",
                            "noise canceling headphones", "sony headphones"),
    "prod_tablet_001": ("galaxy tab", "tab s9", "galaxy", "samsung tablet", "tablet", "samsung", "android tablet"),
    "prod_watch_001": ("fitbit", "charge 6", "charge6", "fitness tracker", "smartwatch", "smart watch", "tracker",
                       "fitness watch", "activity tracker"),
    "prod_coffee_001": ("hd7462", "coffee maker", "coffeemaker", "coffee machine", "philips", "drip coffee maker",
                        "coffee brewer"),
    "prod_blender_001": ("ninja", "blender", "smoothie maker"),
    "prod_mixer_001": ("kitchenaid", "kitchen aid", "stand mixer", "mixer"),
    "prod_airfryer_001": ("cosori", "air fryer", "airfryer", "fryer"),
    "prod_sneakers_001": ("nike", "air max", "airmax", "air max 270", "sneakers", "sneaker", "trainers",
                          "running shoes",
                          "shoes"),
    "prod_jacket_001": ("north face", "northface", "fleece", "jacket", "fleece jacket", "coat"),
    "prod_backpack_001": ("herschel", "backpack", "rucksack", "bag", "daypack"),
    "prod_sunglasses_001": ("ray ban", "rayban", "aviators", "aviator", "sunglasses", "shades"),
    "prod_vacuum_001": ("dyson", "v11", "vacuum", "hoover", "vacuum cleaner", "cordless vacuum", "stick vacuum"),
    "prod_sheets_001": ("sheets", "sheet set", "bed sheets", "bedsheets", "egyptian cotton", "bedding", "bed linen"),
    "prod_lamp_001": ("lamp", "desk lamp", "led lamp", "reading lamp", "led desk lamp"),
}
# Generic nouns that name a kind of product, shared by several (weight 2 each, never decisive alone).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "headphones": ("prod_headphones_001", "prod_airpods_001"),
    "headphone": ("prod_headphones_001", "prod_airpods_001"),
    "headset": ("prod_headphones_001", "prod_airpods_001"),
    "audio": ("prod_headphones_001", "prod_airpods_001"),
    "appliance": ("prod_coffee_001", "prod_blender_001", "prod_mixer_001", "prod_airfryer_001", "prod_vacuum_001"),
    "appliances": ("prod_coffee_001", "prod_blender_001", "prod_mixer_001", "prod_airfryer_001", "prod_vacuum_001"),
}
# Needs in plain words: what a product is *for*. A use word after a purpose word ("for", "to",
# "likes", "making", …) stands for these products, best fit first ("something for making coffee",
# "i need to vacuum my car", "a gift for my mom, she likes cooking").
USES: dict[str, tuple[str, ...]] = {
    "coffee": ("prod_coffee_001",),
    "espresso": ("prod_coffee_001",),
    "brewing": ("prod_coffee_001",),
    "smoothie": ("prod_blender_001",), "smoothies": ("prod_blender_001",), "blending": ("prod_blender_001",),
    "baking": ("prod_mixer_001",), "bake": ("prod_mixer_001",), "cakes": ("prod_mixer_001",),
    "frying": ("prod_airfryer_001",), "fries": ("prod_airfryer_001",),
    "cooking": ("prod_coffee_001", "prod_blender_001", "prod_mixer_001", "prod_airfryer_001"),
    "cook": ("prod_coffee_001", "prod_blender_001", "prod_mixer_001", "prod_airfryer_001"),
    "cooks": ("prod_coffee_001", "prod_blender_001", "prod_mixer_001", "prod_airfryer_001"),
    "vacuum": ("prod_vacuum_001",), "vacuuming": ("prod_vacuum_001",), "clean": ("prod_vacuum_001",),
    "cleaning": ("prod_vacuum_001",), "dust": ("prod_vacuum_001",),
    "music": ("prod_headphones_001", "prod_airpods_001"), "listening": ("prod_headphones_001", "prod_airpods_001"),
    "running": ("prod_watch_001", "prod_sneakers_001"), "workouts": ("prod_watch_001", "prod_sneakers_001"),
    "fitness": ("prod_watch_001", "prod_sneakers_001"), "gym": ("prod_watch_001", "prod_sneakers_001"),
    "hiking": ("prod_backpack_001", "prod_jacket_001"), "camping": ("prod_backpack_001", "prod_jacket_001"),
    "travel": ("prod_backpack_001",), "school": ("prod_backpack_001",),
    "reading": ("prod_lamp_001",), "studying": ("prod_lamp_001",),
    "sleep": ("prod_sheets_001",), "sleeping": ("prod_sheets_001",),
    "winter": ("prod_jacket_001",), "beach": ("prod_sunglasses_001",),
}
PURPOSE = frozenset("for to likes like loves love enjoys enjoy into making make makes doing do go goes "
                    "".split())
POSSESSIVE = frozenset({"my", "our", "his", "her", "their", "the", "your"})

# Words that match a name but never identify a product on their own.
WEAK = frozenset("pro air max set supply co the modern professional led cotton cordless face cover "
                 "egyptian stand desk coffee maker galaxy tab charge".split())
CATEGORIES: dict[str, tuple[str, ...]] = {
    "Electronics": ("electronics", "electronic", "tech", "devices", "device"),
    "Kitchen": ("kitchen", "kitchenware", "cooking", "kitchen stuff", "kitchen goods"),
    "Fashion": ("fashion", "clothes", "clothing", "apparel", "accessories", "wear", "outfit"),
    "Home": ("home", "home goods", "homeware", "household", "house", "homewares", "home stuff", "bedroom"),
}
# Things shoppers ask for that the demo store does not sell → the category whose items to offer.
NOT_CARRIED: dict[str, str] = {
    "ps5": "Electronics", "ps4": "Electronics", "playstation": "Electronics", "xbox": "Electronics",
    "nintendo": "Electronics", "nintendo switch": "Electronics", "game console": "Electronics",
    "console": "Electronics", "iphone": "Electronics", "ipad": "Electronics", "macbook": "Electronics",
    "laptop": "Electronics", "apple watch": "Electronics", "kindle": "Electronics", "e reader": "Electronics",
    "ereader": "Electronics", "tv": "Electronics", "television": "Electronics", "camera": "Electronics",
    "phone": "Electronics", "smartphone": "Electronics", "pixel": "Electronics", "printer": "Electronics",
    "keyboard": "Electronics", "drone": "Electronics", "airpods max": "Electronics", "speaker": "Electronics",
    "groceries": "Kitchen", "grocery": "Kitchen", "milk": "Kitchen", "eggs": "Kitchen", "bread": "Kitchen",
    "food": "Kitchen", "toaster": "Kitchen", "kettle": "Kitchen", "microwave": "Kitchen",
    "espresso machine": "Kitchen", "pizza": "Kitchen", "wine": "Kitchen", "coffee beans": "Kitchen",
    "sofa": "Home", "couch": "Home", "mattress": "Home", "pillow": "Home", "towels": "Home", "chair": "Home",
    "jeans": "Fashion", "dress": "Fashion", "boots": "Fashion", "hat": "Fashion", "socks": "Fashion",
    "watch band": "Electronics", "gift card": "", "voucher": "", "book": "Home", "books": "Home", "car": "Home",
    "bike": "Home", "bicycle": "Home", "guitar": "Home", "plane ticket": "Home", "flowers": "Home",
}

# Cue phrases per feature (matched on whole tokens; multi-word phrases as token sequences).
CUES: dict[str, tuple[str, ...]] = {
    "buy": ("buy", "order", "purchase", "get", "grab", "want", "need", "take", "add", "checkout", "check out",
            "pick up", "get me", "i'll take", "i'll have", "id like", "i'd like", "go for", "snag", "cop",
            "pay for", "ship me", "send me", "would like", "i would like", "i'd love", "would love", "love"),
    "now": ("now", "right now", "immediately", "today", "asap", "right away", "straight away", "at once",
            "this instant"),
    "later": ("later", "wait", "watch it", "not now", "hold off", "wait for", "eventually"),
    "watch": ("watch", "monitor", "track", "keep an eye", "keep watching", "eye on", "watching", "tracking",
              "price watch", "price alert", "alert", "auto buy", "auto-buy", "autobuy", "automatically", "auto",
              "auto-purchase", "auto purchase", "buy automatically", "watches", "alerts", "price watches"),
    "if_when": ("if", "when", "once", "whenever", "as soon as", "the moment", "in case"),
    "hedge": ("might", "maybe", "perhaps", "thinking about", "thinking of", "considering", "should i", "not sure",
              "wondering", "possibly", "hmm", "hm", "undecided", "torn"),
    "condition": ("drops", "drop", "falls", "fall",
                  "dips", "dip", "goes", "go", "hits", "hit", "reaches", "reach", "gets", "comes", "back",
                  "restocked", "restock", "sale", "discount", "discounted", "cheaper", "reduced", "lower"),
    "stock": ("back in stock", "in stock again", "restocked", "restock", "available again", "back"),
    "notify": ("let me know", "tell me", "notify", "notify me", "alert me", "ping", "ping me", "message me",
               "email me", "text me", "heads up", "remind me", "just tell", "inform me", "give me a shout",
               "don't buy", "do not buy", "dont buy", "without buying", "not buy", "ask me", "ask me first",
               "check with me", "i'll decide", "let me decide", "i'll buy it myself", "just notify"),
    "browse": ("show", "find", "search", "list", "look for", "looking for", "browse", "what do you have",
               "do you sell", "do you have", "do you carry", "carry", "sell", "options", "recommend",
               "suggest", "any", "anything", "catalog", "catalogue", "see", "got any", "stock", "offer",
               "ideas", "gift", "gifts", "suggestions", "everything", "what else", "sorted",
               "what's there", "what else", "alternatives", "similar", "range"),
    "question": ("how much", "what is", "what's", "whats", "is it", "is the", "are the", "does it", "does the",
                 "do the", "can it", "how long", "how fast", "how soon", "when will", "when would", "which",
                 "tell me about", "what about", "difference", "compare", "vs", "versus", "better",
                 "worth it", "good", "any good", "reviews", "review", "quality", "specs", "describe",
                 "price of", "cost", "costs", "in stock", "available", "arrive", "delivery time", "?", "would",
                 "will", "get here", "have gps", "come in", "colours", "colors", "how", "what", "whats",
                 "tell me more", "more about", "more info", "details", "safe", "does"),
    "orders": ("history", "order history", "my stuff", "my package", "my packages", "my delivery",
               "my purchase", "my things", "did i buy",
               "just buy", "i bought", "what did i", "did i order", "have i ordered", "did you charge", "charge me",
               "charged", "approved", "go through", "went through", "just bought", "just ordered",
               "my orders", "my order", "orders", "order history", "ordered", "bought", "purchases",
               "purchase history", "receipts", "receipt", "past orders", "order status", "where is my",
               "did it go through", "did my", "last order", "transactions", "transaction", "delivered yet",
               "has it shipped", "shipped", "track my"),
    "spending": ("spend", "spent", "spending", "blown", "how much money", "blew", "how much have i",
                 "total spent", "expenses", "paid so far",
                 "how much did i", "my spending"),
    "policy": ("shipping", "ship to", "ship abroad", "international", "internationally", "abroad", "overseas",
               "returns", "return policy", "return", "refund", "refunds", "tax", "taxes", "sales tax",
               "exchange", "shipping cost", "delivery fee", "canada", "uk", "europe", "mexico", "germany",
               "australia", "outside the us", "policy", "policies", "warranty", "guarantee", "payment methods",
               "payment method", "pay with", "paypal", "apple pay", "credit card", "cards", "free shipping",
               "shipping free", "return window", "refund window", "send it back", "send back", "return it",
               "per item", "deliver internationally"),
    "cancel": ("cancel", "stop", "remove", "delete", "forget", "never mind", "nevermind", "abort",
               "kill", "end", "turn off", "don't watch", "stop watching", "no longer"),
    "change": ("change", "update", "raise", "lower", "increase", "decrease", "adjust", "make it", "set it",
               "instead", "modify", "bump", "edit", "switch", "actually", "make that", "make the", "swap", "move"),
    "limit": ("limit", "price limit", "cap", "threshold", "target", "watch", "alert"),
    "deal": ("good price", "good deal", "best price", "a deal", "bargain", "full price", "better price",
             "cheaper price", "not at full price"),
    "help": ("help", "what can you do", "how does this work", "how do i", "commands", "what do you do",
             "who are you", "hi", "hello", "hey", "good morning", "good evening", "howdy", "yo", "start",
             "how does it work", "instructions", "menu", "getting started", "can you", "are you able",
             "what is this", "new here", "i'm new", "what are you", "for me automatically"),
    "thanks": ("thanks", "thank you", "thx", "cheers", "awesome", "perfect"),
    "rude": ("stupid", "idiot", "dumb", "useless", "shut up", "hate you", "suck", "sucks", "moron", "fuck",
             "fucking", "shit", "crap", "damn", "garbage", "trash", "worst"),
    "offtopic": ("weather", "joke", "poem", "president", "election", "capital of", "meaning of life", "recipe",
                 "homework", "translate", "football", "score", "news", "stock market", "bitcoin", "crypto",
                 "flight", "flights", "hotel", "restaurant", "taxi", "uber", "vacation", "holiday trip",
                 "movie", "song", "lyrics", "math", "dinner", "date", "girlfriend", "boyfriend"),
    "yes": ("yes", "yeah", "yep", "yup", "sure", "ok", "okay", "go ahead", "do it", "please do", "confirm",
            "sounds good", "that's fine", "fine", "alright", "absolutely", "definitely", "after all",
            "go on", "proceed", "let's do it", "lets do it", "why not", "correct", "right"),
    "no": ("no", "nope", "nah", "no thanks", "not really", "never mind", "nevermind", "forget it", "skip",
           "don't", "dont", "not now", "changed my mind", "rather not", "pass"),
    "retry": ("another card", "other card", "different card", "next card", "try again", "retry", "my visa",
              "my mastercard", "my amex", "use visa", "use mastercard", "use my", "try my"),
    "superlative_low": ("cheapest", "least expensive", "lowest price", "cheaper one", "most affordable",
                        "budget one", "lowest"),
    "superlative_high": ("most expensive", "priciest", "best", "premium", "fanciest", "top of the line",
                         "nicer one", "pricier one"),
    "superlative_fast": ("fastest", "quickest", "soonest", "fastest delivery", "quickest delivery"),
    "negation": ("isn't", "isnt", "aren't", "not", "except", "other than", "besides", "apart from", "but not",
                 "excluding", "without",
                 "anything but", "no"),
    "pronoun": ("it", "that", "this", "them", "those", "these", "that one", "this one", "the one", "same",
                "one", "they", "ones"),
}

# Words that carry no content: politeness, filler, glue. Every other word must be accounted for.
FILLER = frozenset("""
a an the me my mine i im i'm id i'd ill i'll we us our you your yours it its this that these those them they
some thing things stuff one ones kind sort type please pls plz kindly thanks thank could would can will
shall may might must should do does did doing done be is are am was were been being have has had having
for of to in on at by with and or but from into onto as so then than too also just really very quite
maybe perhaps now today here there what which who whom how where why well oh um uh hmm hm like lol
okay ok sure yes yeah yep no nope nah hey hi hello up out off over about around again already still
let lets let's want wanted need needed gonna wanna gotta something anything everything any all each
every both either more most much many few little bit lot lots other another else same such own only
new nice good great best cheap cheaper price priced prices pricing cost costs money cash dollars dollar
usd bucks buck item items product products one's thing's order please thx ty tho though actually
basically literally honestly probably definitely mean think guess feel looking look see go going get
getting got give make take put keep buy bought purchase purchasing ordering grab find show tell know
they're it's you're we're i've that's there's what's don't can't won't isn't aren't doesn't didn't let's
their gonna lemme thats theyre youre dont cant wont isnt arent ive hers his her him she he
u ur pls rn btw bday birthday section department category aisle collection gadget gadgets ever long
set setup pair thingy thingies stuff's office work sister brother mom dad mother father wife husband friend
likes loves enjoys making doing gift present kid kids son daughter christmas holidays mine ones both whichever
whatever one's item piece
arrives arrive arriving arrived delivered ships comes come gets stays happens works cost costs running run
sounds looks seems fits need needs using use used buying ordering said says told tell asked ask then later
under below over above less than least worth nearby
""".split())

# Unknown words that change *which* product is meant ("AirPods Pro 3rd gen", "the mini"): never ignored.
MODIFIERS = frozenset("""gen generation mini max pro plus ultra lite xl xs se refurbished used renewed
version edition model series black white red blue green pink silver gold grey gray rose small medium large
size color colour inch tb gb wired wifi cellular kids""".split())
