"""The chat pane: the shopper's messages, the agents' replies streamed as Markdown, a dim line for
routing and tool activity, and the input. The log follows new output (VerticalScroll anchor).

Markdown (and markdown_it, ~0.2 s) is imported on first use, not for the first frame: the first
welcome is plain text, composed with the pane (mounting it afterwards costs the first frame another
layout pass), and replaced by the Markdown one when the agents are ready."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widgets import Markdown
    from textual.widgets.markdown import MarkdownStream

from ..safe import safe_str, safe_text
from .history_input import HistoryInput

AGENT_LABELS = {"supervisor": "GhostCart", "shopping": "Shopping agent", "delegate": "Delegate agent",
                "payment": "Payment agent"}


def agent_label(agent: str | None) -> str:
    return AGENT_LABELS.get(agent or "", safe_str(agent or "GhostCart", newlines=False))


class ChatLog(VerticalScroll):
    """Follows new output. Anchored only once it overflows: Textual bottom-aligns short anchored
    content, and a welcome text reads better from the top."""

    can_focus = False

    def on_mount(self) -> None:
        self.watch(self, "virtual_size", self._maybe_anchor, init=False)

    def _maybe_anchor(self) -> None:
        if not self.is_anchored and self.max_scroll_y > 0:
            self.anchor()


class ChatPane(Vertical):
    """Owns the log's widgets; the app feeds it events."""

    def __init__(self, *, welcome: str | None = None, status: str = "", **kwargs) -> None:
        """welcome: Markdown shown as plain text at the top of the log; status: the status line."""
        super().__init__(**kwargs)
        self._welcome = welcome
        self._status = status
        self._stream: MarkdownStream | None = None
        self._stream_md: Markdown | None = None
        self._stream_agent: str | None = None
        self._stream_text = ""

    def compose(self) -> ComposeResult:
        with ChatLog(id="chat-log"):
            if self._welcome is not None:
                plain = self._welcome.replace("**", "").replace("*", "").replace("## ", "")
                yield Static(Text(plain), id="welcome", classes="welcome plain")
        yield Static(safe_text(self._status, style="dim", newlines=False), id="chat-status")
        yield HistoryInput(placeholder="Ask GhostCart… (e.g. find a coffee maker under $90)", id="chat-input")

    @property
    def log(self) -> ChatLog:  # type: ignore[override]
        return self.query_one(ChatLog)

    async def add_welcome(self, markdown: str) -> None:
        from textual.widgets import Markdown

        await self.log.mount(Markdown(markdown, id="welcome", classes="welcome"))

    async def set_welcome(self, markdown: str) -> None:
        from textual.widgets import Markdown

        try:
            old = self.query_one("#welcome")
        except Exception:
            old = None
        if isinstance(old, Markdown):
            await old.update(markdown)
            return
        new = Markdown(markdown, classes="welcome")
        if old is not None:
            await self.log.mount(new, before=old)
            await old.remove()
        else:
            await self.log.mount(new)
        new.id = "welcome"

    async def add_user(self, text: str) -> None:
        await self.end_stream()
        line = Text("You  ", style="bold")
        line.append_text(safe_text(text))
        await self.log.mount(Static(line, classes="user-msg"))

    async def add_activity(self, text: str) -> None:
        await self.log.mount(Static(safe_text("  " + safe_str(text, newlines=False), style="dim italic"),
                                    classes="activity"))

    async def add_error(self, text: str) -> None:
        await self.end_stream()
        await self.log.mount(Static(safe_text("⚠ " + safe_str(text)), classes="error-msg"))

    async def add_note(self, text: str) -> None:
        await self.log.mount(Static(safe_text(text), classes="note"))

    async def _header(self, agent: str | None) -> None:
        await self.log.mount(Static(Text(agent_label(agent), style="bold"), classes="agent-name"))

    async def add_delta(self, agent: str, text: str) -> None:
        """A streamed text delta: append to the current reply of this agent."""
        if self._stream is None or self._stream_agent != agent:
            await self.end_stream()
            await self._header(agent)
            from textual.widgets import Markdown

            self._stream_md = Markdown("", classes="agent-msg")
            await self.log.mount(self._stream_md)
            self._stream = Markdown.get_stream(self._stream_md)
            self._stream_agent = agent
            self._stream_text = ""
        chunk = safe_str(text)
        self._stream_text += chunk
        await self._stream.write(chunk)

    async def add_agent_message(self, agent: str, text: str) -> None:
        """A whole reply. When it was streamed already, the streamed widget gets the final text."""
        body = safe_str(text)
        if self._stream is not None and self._stream_agent == agent and self._stream_md is not None:
            md = self._stream_md
            await self.end_stream()
            if body.strip() and body.strip() != self._stream_text.strip():
                await md.update(body)
            return
        await self.end_stream()
        if not body.strip():
            return
        from textual.widgets import Markdown

        await self._header(agent)
        await self.log.mount(Markdown(body, classes="agent-msg"))

    async def end_stream(self) -> None:
        stream, self._stream = self._stream, None
        self._stream_md = None
        self._stream_agent = None
        if stream is not None:
            await stream.stop()

    async def clear_log(self) -> None:
        await self.end_stream()
        await self.log.remove_children()
        self.log.anchor(False)

    def set_status(self, text: str) -> None:
        self.query_one("#chat-status", Static).update(safe_text(text, style="dim", newlines=False))
