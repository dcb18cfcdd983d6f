"""The turn runner: a message typed in the chat is sent to the Conversation in a worker (queued
while the agents start), Esc cancels it, and a signature the agent waits for is asked for in the
dialog and answered back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from textual import work
from textual.worker import Worker

from .errors import describe_error
from .welcome import welcome_markdown

log = logging.getLogger(__name__)

CANCEL_GRACE = 2.0  # seconds Conversation.cancel() gets before the turn's worker is cancelled
WORKING = "● working… Esc cancels"


def _take_sent(box, sent: str) -> None:
    """Remove the sent text from the chat box, keeping whatever was typed after it."""
    value = box.value
    rest = value[len(sent):] if value.startswith(sent) else value
    box.value = rest
    box.cursor_position = len(rest)


class TurnsMixin:
    """Part of GhostCartApp (app.py holds the state it uses)."""

    def _init_turns(self) -> None:
        self._turn: Worker | None = None
        self._queue: list[str] = []  # messages typed before the agents were ready
        self.last_turn_error: BaseException | None = None  # the last turn's failure (replay reports it)

    def turn_running(self) -> bool:
        return self._turn is not None and not self._turn.is_finished

    def _idle_status(self) -> None:
        self.chat.set_status("Enter sends · ↑/↓ history · Ctrl+P commands")

    async def on_input_submitted(self, event) -> None:
        if event.input.id != "chat-input":
            return
        text = event.value.strip()
        if not text:
            return
        await self.submit(text, typed=event.value)

    async def submit(self, text: str, *, typed: str | None = None) -> bool:
        """Send text as the shopper; False when a turn is still running. While the agents are
        still starting, messages are queued and sent in order once they are ready.

        typed: the chat box's value when Enter was pressed (None: the text came from elsewhere,
        the box is left alone). Only that much is taken out of the box: keys typed after Enter,
        before this handler ran (the Input goes on taking keys while Submitted bubbles up), stay."""
        starting = self.conversation is None and not self.ready.is_set()
        if self.turn_running() and not starting:
            self.toast("Still working on the last message; Esc cancels it.", severity="warning")
            return False
        box = self.query_one("#chat-input")
        box.remember(text)
        if typed is not None:
            _take_sent(box, typed)
        await self.chat.add_user(text)
        if self.turn_running():
            self._queue.append(text)
            return True
        self._turn = self._run_turn(text)
        return True

    async def _guarded(self, body: Callable[[], Awaitable[None]], *, note_cancel: bool = True) -> None:
        """A turn's body: its failure is shown in the chat (and kept for replay), the stream is
        closed and the status line back to idle however it ends."""
        self.last_turn_error = None
        try:
            await body()
        except asyncio.CancelledError:
            if not note_cancel:
                raise
            self._queue.clear()
            await self.chat.add_note("Turn cancelled.")
            raise
        except Exception as exc:
            self._queue.clear()
            self.last_turn_error = exc
            await self.chat.add_error(describe_error(exc))
        finally:
            await self.chat.end_stream()
            self._idle_status()

    @work(group="turn", exit_on_error=False)
    async def _run_turn(self, text: str) -> None:
        async def body() -> None:
            nonlocal text
            if self.conversation is None:
                await self.chat.add_activity("waiting for the agents to start…")
                await self.ready.wait()
            if self.conversation is None:
                raise self.agents_error or RuntimeError("the agents are not available")
            while True:
                await self.conversation.send(text)
                await self._settle_signatures()
                if not self._queue:
                    break
                text = self._queue.pop(0)

        self.chat.set_status(WORKING)
        await self._guarded(body)

    def show_pending_signature(self) -> None:
        """Show the signature the agent waits for in the dialog (after a restart, a replay step)."""
        if not self.turn_running():
            self._turn = self._resume_signature()

    @work(group="turn", exit_on_error=False)
    async def _resume_signature(self) -> None:
        await self._guarded(self._settle_signatures, note_cancel=False)

    async def _settle_signatures(self) -> None:
        """While the agent waits for a signature: show the dialog, pass the answer back."""
        from .screens.signature import SignatureScreen

        conv = self.conversation
        answered: set[str] = set()
        while True:
            view = conv.pending_signature()
            if view is None or view.mandate_id in answered:
                return
            self.chat.set_status("Waiting for your signature…")
            await self._unqueue()
            approve = await self.push_screen_wait(
                SignatureScreen(view, mask_key=self.mask_volatile, arm_delay=self.arm_delay,
                                monotonic=self.monotonic))
            answered.add(view.mandate_id)
            await self.chat.add_activity(("✓ you signed " if approve else "✗ you declined ") + view.mandate_id)
            self.chat.set_status(WORKING)
            await conv.answer_signature(view.mandate_id, bool(approve))

    async def _unqueue(self) -> None:
        """A signature dialog opens: messages typed meanwhile are not sent after it (they were
        written before the shopper saw it); they go back into the chat box to send or edit."""
        if not self._queue:
            return
        texts, self._queue = list(self._queue), []
        box = self.query_one("#chat-input")
        box.value = " ".join([*texts, box.value]).strip()
        box.cursor_position = len(box.value)
        await self.chat.add_note("Not sent (a signature is waiting first); kept in the chat box: "
                                 + " / ".join(texts))

    def on_signature_screen_typed_ahead(self, message) -> None:
        """Keys typed into the signature dialog were meant for the chat: keep them in the chat box."""
        box = self.query_one("#chat-input")
        value = box.value
        if message.backspaces:
            value = value[: max(0, len(value) - message.backspaces)]
        box.value = value + message.text
        box.cursor_position = len(box.value)

    def action_cancel_turn(self) -> None:
        if not self.turn_running():
            return
        try:
            if self.conversation is not None:
                self.conversation.cancel()
        except Exception:
            log.exception("Conversation.cancel failed")
        self.chat.set_status("Cancelling…")
        worker = self._turn

        def force() -> None:
            if worker is not None and worker.is_running:
                worker.cancel()

        self.set_timer(CANCEL_GRACE, force)

    async def action_new_conversation(self) -> None:
        if self.turn_running():
            self._turn.cancel()
        if self.conversation is not None:
            try:
                self.conversation.new_conversation()
            except Exception as exc:
                self.toast(describe_error(exc), severity="error")
        await self.chat.clear_log()
        label = getattr(self.conversation, "model_label", None)
        await self.chat.add_welcome(welcome_markdown(label, getattr(self.conversation, "provider", None)))
        await self.action_show_tab("chat")
