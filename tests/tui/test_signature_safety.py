"""A signature is only ever given on purpose: keys typed for the chat while the signature dialog
opens (y and n included, then Enter) neither sign nor decline; they stay in the chat box; Enter
never signs; the dialog answers only a deliberate y / n / Esc or a click once it has been visible,
unchanged and quiet for its arm time. Below the TUI, a chat message never answers a signature.

The real app, the real offline Conversation, real SQLite; the arm time is measured on a fake
monotonic clock the test advances (no sleeping)."""

from __future__ import annotations

import asyncio

import pytest

from ghostcart_tui.services import orders, signatures
from ghostcart_tui.tui.screens.signature import SignatureScreen

pytest.importorskip("ghostcart_tui.agents.conversation")

SIZE = (100, 32)
ARM = 0.6
KEY_GAP = 1 / 12  # 12 keys per second: typing speed


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _app(rt, clock: FakeMonotonic):
    from ghostcart_tui.tui.app import GhostCartApp

    app = GhostCartApp(rt, start_monitor=False, mask_volatile=True, arm_delay=ARM, monotonic=clock)
    app.animation_level = "none"
    return app


def _key(ch: str) -> str:
    return {" ": "space", ",": "comma", "\n": "enter"}.get(ch, ch)


async def _type(pilot, clock: FakeMonotonic, text: str) -> None:
    """Key by key at typing speed (the fake clock moves KEY_GAP per key)."""
    for ch in text:
        clock.advance(KEY_GAP)
        await pilot.press(_key(ch))


async def _wait_dialog(pilot, app, rounds: int = 500) -> SignatureScreen:
    for _ in range(rounds):
        if isinstance(app.screen, SignatureScreen):
            await pilot.pause()
            return app.screen
        await pilot.pause(0.01)
    raise AssertionError("no signature dialog")


async def _done(app) -> None:
    """The turn has finished (bounded: a dialog left open fails the test instead of hanging it)."""
    await asyncio.wait_for(app.workers.wait_for_complete(), 20)


def _box(app) -> str:
    return app.query_one("#chat-input").value


async def test_a_message_typed_while_the_dialog_opens_neither_signs_nor_declines(rt):
    clock = FakeMonotonic()
    app = _app(rt, clock)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready(30)
        await _type(pilot, clock, "buy the desk lamp\n")
        await _type(pilot, clock, "okay, ")  # still typing while the agent works (or the dialog opens)
        dialog = await _wait_dialog(pilot, app)
        mid = dialog.view.mandate_id
        await _type(pilot, clock, "yes now\n")  # y, n and Enter land in the dialog at typing speed
        await pilot.pause()
        assert app.screen is dialog
        assert signatures.status_of(rt, mid) == "pending_signature"
        assert orders.list_transactions(rt) == []
        assert _box(app) == "okay, yes now"  # kept in the chat box, not sent
        assert dialog.typed.endswith("yes now")  # (all of it when the dialog was faster than the typing)
        assert not dialog.armed
        # Enter alone, however long after, never signs
        clock.advance(5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and signatures.status_of(rt, mid) == "pending_signature"
        # a deliberate y, after a quiet arm time, signs
        clock.advance(ARM + 0.01)
        await pilot.press("y")
        await _done(app)
        await pilot.pause()
        assert not isinstance(app.screen, SignatureScreen)
        assert _box(app) == "okay, yes now"  # still there to send or edit
    assert [(t.status, t.amount_cents > 0) for t in orders.list_transactions(rt)] == [("authorized", True)]


async def test_keys_before_the_arm_time_are_not_answers(rt):
    clock = FakeMonotonic()
    app = _app(rt, clock)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready(30)
        await _type(pilot, clock, "buy the desk lamp\n")
        dialog = await _wait_dialog(pilot, app)
        mid = dialog.view.mandate_id
        for key in ("y", "n", "escape", "enter"):
            clock.advance(ARM * 0.9)  # each just before the dialog is armed: each restarts the wait
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is dialog and signatures.status_of(rt, mid) == "pending_signature", key
        # a key that is no answer disarms an armed dialog: the "y" of "okay" does not sign
        clock.advance(ARM * 2)
        assert dialog.armed
        await _type(pilot, clock, "oka")
        assert not dialog.armed
        await _type(pilot, clock, "y")
        await pilot.pause()
        assert signatures.status_of(rt, mid) == "pending_signature"
        clock.advance(ARM + 0.01)
        await pilot.press("n")  # deliberate: declines
        await _done(app)
        await pilot.pause()
    assert signatures.status_of(rt, mid) == "declined"
    assert orders.list_transactions(rt) == []


async def test_escape_and_the_mouse_answer_once_armed(rt):
    clock = FakeMonotonic()
    app = _app(rt, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_ready(30)
        await _type(pilot, clock, "buy the desk lamp\n")
        dialog = await _wait_dialog(pilot, app)
        first = dialog.view.mandate_id
        clock.advance(ARM + 0.01)
        await pilot.press("escape")
        await _done(app)
        await pilot.pause()
        assert signatures.status_of(rt, first) == "declined"
        await _type(pilot, clock, "buy the desk lamp\n")
        dialog = await _wait_dialog(pilot, app)
        second = dialog.view.mandate_id
        await pilot.click("#sign-button")  # too early: restarts the wait
        await pilot.pause()
        assert signatures.status_of(rt, second) == "pending_signature"
        clock.advance(ARM + 0.01)
        await pilot.click("#sign-button")
        await _done(app)
        await pilot.pause()
    assert signatures.status_of(rt, second) != "pending_signature"
    assert [t.status for t in orders.list_transactions(rt)] == ["authorized"]


async def test_a_chat_message_never_answers_a_pending_signature(rt):
    from ghostcart_tui.agents.conversation import Conversation

    conv = Conversation(rt, model="offline")
    await conv.send("buy the desk lamp")
    pending = conv.pending_signature()
    assert pending is not None
    for text in ("yes", "okay, yes now", "no", "cancel it", "find headphones"):
        out = await conv.send(text)
        assert out.pending_signature is not None and out.pending_signature.mandate_id == pending.mandate_id
        assert "still waiting" in out.text
        assert signatures.status_of(rt, pending.mandate_id) == "pending_signature"
    assert orders.list_transactions(rt) == []
    await conv.answer_signature(pending.mandate_id, True)  # only the dialog's answer signs
    assert [t.status for t in orders.list_transactions(rt)] == ["authorized"]


async def test_messages_queued_while_starting_are_not_sent_after_a_dialog(rt):
    """Typed before the agents were up: "buy the desk lamp", then "okay, yes now". The first opens
    the dialog; the second was written before the shopper saw it, so it goes back into the chat box."""
    import threading

    from ghostcart_tui.agents.conversation import Conversation
    from ghostcart_tui.tui.app import GhostCartApp

    release = threading.Event()

    def slow(rt_):
        release.wait(30)
        return Conversation(rt_, model="offline")

    clock = FakeMonotonic()
    app = GhostCartApp(rt, conversation_factory=slow, start_monitor=False, mask_volatile=True, arm_delay=ARM,
                       monotonic=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _type(pilot, clock, "buy the desk lamp\n")
        await _type(pilot, clock, "okay, yes now\n")
        release.set()
        dialog = await _wait_dialog(pilot, app, rounds=3000)
        assert _box(app) == "okay, yes now"
        clock.advance(ARM + 0.01)
        await pilot.press("n")
        await _done(app)
        await pilot.pause()
        assert signatures.status_of(rt, dialog.view.mandate_id) == "declined"
        assert _box(app) == "okay, yes now"
        assert not app.turn_running()
    assert orders.list_transactions(rt) == []
