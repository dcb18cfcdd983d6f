"""Keys typed right after Enter land in the emptied chat box: none is lost to the submit.

The Input posts Submitted and goes on taking keys while that message bubbles up to the app; a
key that reaches the box before the app handles Submitted used to be wiped by `value = ""`."""

from __future__ import annotations

from textual import events

from .conftest import make_app

SIZE = (100, 32)


async def test_keys_typed_right_after_enter_are_kept(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        box = app.query_one("#chat-input")
        await pilot.press(*"find coffee")
        # Enter, then the next keys reach the box while its Submitted message is still on its way
        # up to the app (what a busy event loop does to keys typed at 12/s).
        await box.action_submit()
        for ch in "hello":
            box.post_message(events.Key(ch, ch))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert box.value == "hello"
        assert "find coffee" in box.history


async def test_keys_pressed_one_by_one_after_enter_are_kept(rt):
    app = make_app(rt)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        box = app.query_one("#chat-input")
        for attempt in range(3):
            await pilot.press(*"find coffee", "enter", *"hello")
            assert box.value == "hello", (attempt, box.value)
            await app.workers.wait_for_complete()
            await pilot.pause()
            box.value = ""
