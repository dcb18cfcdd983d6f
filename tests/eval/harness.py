"""Evaluation harness: every single message and every conversation of an evaluation file runs
through the real Conversation (offline model, real Strands loop, a real temporary SQLite, a
FakeClock at 2026-11-30T10:00:00Z), and is judged twice:

- what the pipeline decided: the act and slots it persisted in the session's conversation state
  (services.conversations.read_state → "last");
- what actually happened: the events of the turn. A cart, an intent or a cancel the expectation
  did not ask for, a product other than the expected ones, or a limit above the expected one is
  a *wrong spend*, counted apart (a question is never one).

When a conversation says something new while a signature is pending, the harness declines it
first through Conversation.answer_signature, as the TUI forces the shopper to (CONTRACT interface 3).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ghostcart_tui.core.clock import FakeClock
from ghostcart_tui.core.settings import Settings
from ghostcart_tui.services import conversations, orders
from ghostcart_tui.services.runtime import open_runtime

START = "2026-11-30T10:00:00Z"
SLOT_KEYS = ("max_price_cents", "max_total_cents", "max_delivery_days", "deliver_by", "watch_until", "quantity")
SPEND_EVENTS = ("cart_created", "intent_created", "monitoring_cancelled")


@dataclass
class Verdict:
    ok: bool
    wrong_spend: str | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class Report:
    singles: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    conversations: Counter = field(default_factory=Counter)
    wrong_spends: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def single_accuracy(self) -> float:
        total = sum(c["total"] for c in self.singles.values())
        return sum(c["ok"] for c in self.singles.values()) / max(1, total)

    def conversation_accuracy(self) -> float:
        return self.conversations["ok"] / max(1, self.conversations["total"])

    def table(self) -> str:
        rows = [f"{'category':<20} {'ok':>4} / {'n':<4} {'acc':>6}"]
        for cat in sorted(self.singles):
            c = self.singles[cat]
            rows.append(f"{cat:<20} {c['ok']:>4} / {c['total']:<4} {c['ok'] / c['total']:>6.1%}")
        rows.append(f"{'SINGLES':<20} {sum(c['ok'] for c in self.singles.values()):>4} / "
                    f"{sum(c['total'] for c in self.singles.values()):<4} {self.single_accuracy():>6.1%}")
        rows.append(f"{'CONVERSATIONS':<20} {self.conversations['ok']:>4} / {self.conversations['total']:<4} "
                    f"{self.conversation_accuracy():>6.1%}")
        rows.append(f"wrong spends: {len(self.wrong_spends)}")
        return "\n".join(rows)


def load(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def _runtime(home: str):
    settings = Settings(data_home=Path(home), model_provider="offline", processor="approve_all")
    return open_runtime(settings, clock=FakeClock(START), seed=7, log=False)


def _decided(rt, session_id: str) -> dict[str, Any]:
    state = conversations.read_state(rt, session_id) or {}
    last = state.get("last")
    return last if isinstance(last, dict) else {}


def _skus(rt, mandate_id: str) -> list[str]:
    try:
        data = orders.get_mandate(rt, mandate_id).data
        intent = data.get("intent", data) if isinstance(data, dict) else {}
        return list(intent.get("skus") or [])
    except Exception:
        return []


def _judge(rt, expect: dict[str, Any], decided: dict[str, Any], events: list) -> Verdict:
    v = Verdict(ok=True)
    act = expect.get("act")
    if decided.get("act") != act:
        v.problems.append(f"act {decided.get('act')!r} != {act!r}")
    if "products" in expect and sorted(decided.get("products") or []) != sorted(expect["products"] or []):
        v.problems.append(f"products {decided.get('products')} != {expect['products']}")
    for key in SLOT_KEYS:
        if key in expect and decided.get(key) != expect[key]:
            v.problems.append(f"{key} {decided.get(key)!r} != {expect[key]!r}")
    want = set(expect.get("products") or [])
    for e in events:
        if e.name == "cart_created":
            if act != "buy_now":
                v.wrong_spend = f"cart {e.product_ids} for act {act}"
            elif want and not set(e.product_ids) <= want:
                v.wrong_spend = f"substitute cart {e.product_ids} (wanted {sorted(want)})"
            elif expect.get("max_total_cents") and e.total_cents > expect["max_total_cents"]:
                v.wrong_spend = f"cart total {e.total_cents} over {expect['max_total_cents']}"
            elif expect.get("max_price_cents") and _cart_over(rt, e, expect["max_price_cents"]):
                v.wrong_spend = f"cart item over {expect['max_price_cents']}"
        elif e.name == "intent_created":
            skus = _skus(rt, e.mandate_id)
            if act not in ("watch_buy", "watch_notify", "change_watch"):
                v.wrong_spend = f"intent {skus} for act {act}"
            elif want and not set(skus) <= want:
                v.wrong_spend = f"intent skus {skus} (wanted {sorted(want)})"
            elif expect.get("max_price_cents") and e.max_price_cents > expect["max_price_cents"]:
                v.wrong_spend = f"intent cap {e.max_price_cents} over {expect['max_price_cents']}"
        elif e.name == "monitoring_cancelled" and act not in ("cancel_watch", "change_watch"):
            v.wrong_spend = f"watch {e.job_id} cancelled for act {act}"
    v.ok = not v.problems and v.wrong_spend is None
    return v


def _cart_over(rt, event, cap: int) -> bool:
    for pid in event.product_ids:
        p = rt.inventory.get(pid)
        if p is not None and p.price_cents > cap:
            return True
    return False


def _judge_text(expect: dict[str, Any], reply: str, v: Verdict) -> Verdict:
    """Every reply has words (an empty reply is always a failure); `reply_contains` / `reply_lacks`
    (case-insensitive substrings) check what the shopper reads."""
    if not reply.strip():
        v.problems.append("empty reply")
    low = reply.casefold()
    for want in expect.get("reply_contains") or []:
        if str(want).casefold() not in low:
            v.problems.append(f"reply lacks {want!r}")
    for bad in expect.get("reply_lacks") or []:
        if str(bad).casefold() in low:
            v.problems.append(f"reply has {bad!r}")
    v.ok = not v.problems and v.wrong_spend is None
    return v


async def _say(convo, rt, text: str) -> tuple[dict[str, Any], list]:
    events: list = []
    unsubscribe = rt.bus.subscribe(events.append)
    try:
        pending = convo.pending_signature()
        if pending is not None:  # the TUI makes the shopper answer the dialog first
            await convo.answer_signature(pending.mandate_id, False)
            events.clear()
        out = await convo.send(text)
    finally:
        unsubscribe()
    decided = dict(_decided(rt, convo.session_id))
    decided["_reply"] = out.text
    return decided, events


async def run_singles(singles: list[dict[str, Any]], report: Report, home: str) -> None:
    from ghostcart_tui.agents.conversation import Conversation

    rt = _runtime(home)
    try:
        convo = Conversation(rt, model="offline")
        for item in singles:
            convo.new_conversation()
            decided, events = await _say(convo, rt, str(item["text"]))
            v = _judge_text(item.get("expect") or {}, decided["_reply"],
                            _judge(rt, item.get("expect") or {}, decided, events))
            pending = convo.pending_signature()
            if pending is not None:
                await convo.answer_signature(pending.mandate_id, False)
            c = report.singles[item.get("category", "?")]
            c["total"] += 1
            c["ok"] += v.ok
            if v.wrong_spend:
                report.wrong_spends.append(f"{item['id']}: {v.wrong_spend} — {item['text']!r}")
            if not v.ok:
                report.failures.append(f"{item['id']} [{item.get('category')}] {item['text']!r}: "
                                       f"{'; '.join(v.problems)} {v.wrong_spend or ''}".rstrip())
    finally:
        rt.close()


async def run_conversation(conv: dict[str, Any], report: Report, home: str) -> None:
    from ghostcart_tui.agents.conversation import Conversation

    rt = _runtime(home)
    problems: list[str] = []
    try:
        convo = Conversation(rt, model="offline")
        for n, turn in enumerate(conv.get("turns") or [], 1):
            if "sign" in turn:
                pending = convo.pending_signature()
                if pending is None:
                    problems.append(f"turn {n}: nothing to sign")
                    continue
                out = await convo.answer_signature(pending.mandate_id, str(turn["sign"]) == "approve")
                v = _judge_text(turn.get("expect") or {}, out.text, Verdict(ok=True))
                if not v.ok:
                    problems.append(f"turn {n} sign {turn['sign']}: {'; '.join(v.problems)}")
                continue
            decided, events = await _say(convo, rt, str(turn["say"]))
            v = _judge_text(turn.get("expect") or {}, decided["_reply"],
                            _judge(rt, turn.get("expect") or {}, decided, events))
            if v.wrong_spend:
                report.wrong_spends.append(f"{conv['id']} turn {n}: {v.wrong_spend} — {turn['say']!r}")
            if not v.ok:
                problems.append(f"turn {n} {turn['say']!r}: {'; '.join(v.problems)} {v.wrong_spend or ''}".rstrip())
    finally:
        rt.close()
    report.conversations["total"] += 1
    report.conversations["ok"] += not problems
    if problems:
        report.failures.append(f"{conv['id']} ({conv.get('description', '')}): " + " | ".join(problems))


def evaluate(path: str | Path) -> Report:
    data = load(path)
    report = Report()

    async def main() -> None:
        with tempfile.TemporaryDirectory() as home:
            await run_singles(list(data.get("singles") or []), report, str(Path(home) / "singles"))
        for conv in data.get("conversations") or []:
            with tempfile.TemporaryDirectory() as home:
                await run_conversation(conv, report, home)

    asyncio.run(main())
    return report
