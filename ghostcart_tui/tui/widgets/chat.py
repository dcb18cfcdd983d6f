"""The chat pane: the shopper's messages, the agents' replies streamed as Markdown, a dim line for
routing and tool activity, and the input. The log follows new output (VerticalScroll anchor).

Markdown (and markdown_it, ~0.2 s) is imported on first use, not for the first frame: the first
welcome is plain text, composed with the pane (mounting it afterwards costs the first frame another
layout pass), and replaced by the Markdown one when the agents are ready.

Streaming has one owner: the pane. Every method changes the pane's state synchronously (no await
between reading and writing it), so a turn's worker and the event routing can call it in any
interleaving. A reply (AgentReply) keeps its whole text and renders it with Markdown.update (never
Textual's MarkdownStream, whose task could be handed a widget another caller had just reset), at
most every RENDER_EVERY seconds while it streams; the completed AgentMessage always renders the
final text into the reply it streamed into, so a reply is never left blank or shown twice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widgets import Markdown

from ..safe import safe_str, safe_text
from .history_input import HistoryInput

AGENT_LABELS = {"supervisor": "GhostCart", "shopping": "Shopping agent", "delegate": "Delegate agent",
                "payment": "Payment agent"}


def agent_label(agent: str | None) -> str:
    return AGENT_LABELS.get(agent or "", safe_str(agent or "GhostCart", newlines=False))


RENDER_EVERY = 0.05  # seconds: a streaming reply is re-rendered at most this often
MAX_LOG = 400  # widgets kept in the log (the oldest go; the whole history stays in the database)


class ChatLog(VerticalScroll):
    """Follows new output. Anchored only once it overflows: Textual bottom-aligns short anchored
    content, and a welcome text reads better from the top."""

    can_focus = True  # Tab from the chat box: arrows / PageUp / PageDown scroll it

    def on_mount(self) -> None:
        self.watch(self, "virtual_size", self._maybe_anchor, init=False)

    def _maybe_anchor(self) -> None:
        if not self.is_anchored and self.max_scroll_y > 0:
            self.anchor()


def _markdown(source: str, classes: str) -> Markdown:
    from textual.widgets import Markdown

    return Markdown(source, classes=classes)


class AgentReply:
    """One agent reply in the log: its Markdown widget and its whole text. The pane that owns it
    runs its timers (the widget may not be mounted yet when the first delta arrives)."""

    def __init__(self, agent: str, text: str, owner: Widget) -> None:
        self.agent = agent
        self.text = text
        self.widget = _markdown(text, "agent-msg")
        self.owner = owner
        self.final = False  # the completed message is the text
        self._timer: Timer | None = None

    def feed(self, chunk: str) -> None:
        self.text += chunk
        if self._timer is None:
            self._timer = self.owner.set_timer(RENDER_EVERY, self.render)

    def finish(self, text: str) -> None:
        if text.strip():
            self.text = text
        self.final = True
        self.render()

    def render(self) -> None:
        """Render the whole text (idempotent: whichever call runs last shows the latest text)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self.widget.is_mounted:
            if self.widget.is_attached:
                self.owner.call_after_refresh(self.render)
            return
        if self.text and self.widget.source != self.text:
            self.widget.update(self.text)


class ChatPane(Vertical):
    """Owns the log's widgets and the streaming reply; the app feeds it events."""

    def __init__(self, *, welcome: str | None = None, status: str = "", **kwargs: Any) -> None:
        """welcome: Markdown shown as plain text at the top of the log; status: the status line."""
        super().__init__(**kwargs)
        self._welcome = welcome
        self._status = status
        self._reply: AgentReply | None = None  # the reply being streamed (or the last one of the turn)

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

    @property
    def input(self) -> HistoryInput:
        return self.query_one("#chat-input", HistoryInput)

    def _mount(self, *widgets: Widget) -> None:
        """Mount at the end of the log, in call order (mount() registers synchronously). A long
        session keeps the last MAX_LOG widgets: layout cost grows with the log, and every key
        press pays it."""
        log = self.log
        log.mount_all(widgets)
        extra = len(log.children) - MAX_LOG
        if extra > 0:
            old = [w for w in log.children[: extra + 1] if w.id != "welcome"][:extra]
            current = self._reply.widget if self._reply is not None else None
            log.remove_children([w for w in old if w is not current])

    async def add_welcome(self, markdown: str) -> None:
        self._mount(_markdown(markdown, "welcome"))

    async def set_welcome(self, markdown: str) -> None:
        from textual.widgets import Markdown

        try:
            old = self.query_one("#welcome")
        except Exception:
            old = None
        if isinstance(old, Markdown):
            await old.update(markdown)
            return
        new = _markdown(markdown, "welcome")
        if old is not None:
            await self.log.mount(new, before=old)
            await old.remove()
        else:
            await self.log.mount(new)
        new.id = "welcome"

    async def add_user(self, text: str) -> None:
        self.end_reply()
        line = Text("You  ", style="bold")
        line.append_text(safe_text(text))
        self._mount(Static(line, classes="user-msg"))

    async def add_activity(self, text: str) -> None:
        self._mount(Static(safe_text("  " + safe_str(text, newlines=False), style="dim italic"), classes="activity"))

    async def add_error(self, text: str) -> None:
        self.end_reply()
        self._mount(Static(safe_text("⚠ " + safe_str(text)), classes="error-msg"))

    async def add_note(self, text: str) -> None:
        self._mount(Static(safe_text(text), classes="note"))

    def _new_reply(self, agent: str, text: str = "") -> AgentReply:
        self.end_reply()
        reply = AgentReply(agent, text, self)
        self._reply = reply
        self._mount(Static(Text(agent_label(agent), style="bold"), classes="agent-name"), reply.widget)
        return reply

    async def add_delta(self, agent: str, text: str) -> None:
        """A streamed text delta: append to the current reply of this agent."""
        reply = self._reply
        if reply is None or reply.agent != agent or reply.final:
            reply = self._new_reply(agent)
        reply.feed(safe_str(text))

    async def add_agent_message(self, agent: str, text: str) -> None:
        """A whole reply. When it was streamed, the streamed reply shows the final text."""
        body = safe_str(text)
        reply = self._reply
        if reply is not None and reply.agent == agent and not reply.final:
            reply.finish(body)
            return
        if not body.strip():
            return
        self._new_reply(agent, body).final = True

    def end_reply(self) -> None:
        """The reply being streamed is over: render what it has (a later AgentMessage for it
        still completes it, see add_agent_message)."""
        reply, self._reply = self._reply, None
        if reply is not None:
            reply.render()

    async def end_stream(self) -> None:
        """The turn is over: show what the streaming reply has now; it stays the reply a late
        AgentMessage completes."""
        if self._reply is not None:
            self._reply.render()

    async def clear_log(self) -> None:
        self.end_reply()
        await self.log.remove_children()
        self.log.anchor(False)

    def set_status(self, text: str) -> None:
        self.query_one("#chat-status", Static).update(safe_text(text, style="dim", newlines=False))

    def agent_texts(self) -> list[tuple[str, str]]:
        """(agent label, source) of every agent reply in the log, in order (tests, replay)."""
        from textual.widgets import Markdown

        out: list[tuple[str, str]] = []
        label = ""
        for w in self.log.children:
            if "agent-name" in w.classes and isinstance(w, Static):
                label = str(w.render())
            elif "agent-msg" in w.classes and isinstance(w, Markdown):
                out.append((label, w.source))
        return out
