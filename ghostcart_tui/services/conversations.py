"""Conversation persistence: the chat log the shopper saw, and the raw rows behind the agents'
session repository (agents/session_store.py adapts these to Strands; services know no Strands).

Agent state and messages are stored as the JSON dicts Strands hands over, keyed by
(session, agent[, message index]), so a conversation and a pending interrupt survive a restart.

A Journal batches a turn's writes (chat lines, agent messages and state, the session's activity)
into one transaction: while it defers, writes are held in memory (later writes of the same
message or agent replace earlier ones) and flush() commits them together with upserts. Reads
through the Journal flush first, so nothing reads stale rows.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from ..core.clock import as_utc
from ..core.redact import redact_in, redact_pans
from ..store.engine import db_time
from ..store.tables import AgentMessageRow, AgentStateRow, ChatLogRow, SessionRow
from .runtime import Runtime


@dataclass(frozen=True)
class ChatEntry:
    role: str  # user | assistant | activity | error
    agent: str | None
    text: str


# ---- sessions ----------------------------------------------------------------------------------

def read_session(rt: Runtime, session_id: str) -> dict[str, Any] | None:
    with rt.db.read() as s:
        row = s.get(SessionRow, session_id)
        if row is None or row.user_id != rt.user_id:
            return None
        return {"session_id": row.session_id, "created_at": as_utc(row.created_at).isoformat(),
                "updated_at": as_utc(row.last_activity_at).isoformat(), **(row.context or {})}


def ensure_session(rt: Runtime, session_id: str, context: dict[str, Any] | None = None) -> None:
    now = db_time(rt.clock.now())
    with rt.db.write() as s:
        if s.get(SessionRow, session_id) is None:
            s.add(SessionRow(session_id=session_id, user_id=rt.user_id, context=dict(context or {}),
                             last_activity_at=now, created_at=now))


STATE_KEY = "nlu_state"


def read_state(rt: Runtime, session_id: str) -> dict[str, Any] | None:
    """The offline model's typed conversation state (agents/offline/pipeline/state.py), as JSON."""
    with rt.db.read() as s:
        row = s.get(SessionRow, session_id)
        if row is None or row.user_id != rt.user_id:
            return None
        value = (row.context or {}).get(STATE_KEY)
        return dict(value) if isinstance(value, dict) else None


def write_state(rt: Runtime, session_id: str, state: dict[str, Any]) -> None:
    """Store it in the session's context JSON (no card number typed into the chat is stored)."""
    with rt.db.write() as s:
        row = s.get(SessionRow, session_id)
        if row is None or row.user_id != rt.user_id:
            return
        row.context = {**(row.context or {}), STATE_KEY: redact_in(state)}
        s.add(row)


def touch_session(rt: Runtime, session_id: str, flow: str | None = None) -> None:
    with rt.db.write() as s:
        row = s.get(SessionRow, session_id)
        if row is not None:
            row.last_activity_at = db_time(rt.clock.now())
            if flow:
                row.current_flow_type = flow
            s.add(row)


def latest_session(rt: Runtime) -> str | None:
    """The shopper's most recently active conversation (continued after a restart)."""
    with rt.db.read() as s:
        row = s.exec(select(SessionRow).where(SessionRow.user_id == rt.user_id)
                     .order_by(col(SessionRow.last_activity_at).desc(), col(SessionRow.created_at).desc())).first()
        return row.session_id if row else None


# ---- agent state and messages (the Strands session repository's storage) ----------------------

def read_agent(rt: Runtime, session_id: str, agent_id: str) -> dict[str, Any] | None:
    with rt.db.read() as s:
        row = s.get(AgentStateRow, (session_id, agent_id))
        return dict(row.data) if row else None


def write_agent(rt: Runtime, session_id: str, agent_id: str, data: dict[str, Any]) -> None:
    with rt.db.write() as s:
        _upsert_agents(s, [_agent_row(rt, session_id, agent_id, data)])


def write_message(rt: Runtime, session_id: str, agent_id: str, message_id: int, data: dict[str, Any]) -> None:
    with rt.db.write() as s:
        _upsert_messages(s, [_message_row(rt, session_id, agent_id, message_id, data)])


def _agent_row(rt: Runtime, session_id: str, agent_id: str, data: dict[str, Any]) -> dict[str, Any]:
    # no card number typed into the chat is ever stored
    return {"session_id": session_id, "agent_id": agent_id, "data": redact_in(data),
            "updated_at": db_time(rt.clock.now())}


def _message_row(rt: Runtime, session_id: str, agent_id: str, message_id: int, data: dict[str, Any]) -> dict[str, Any]:
    return {"session_id": session_id, "agent_id": agent_id, "message_id": message_id, "data": redact_in(data),
            "created_at": db_time(rt.clock.now())}


def _upsert_agents(s, rows: list[dict[str, Any]]) -> None:
    if rows:
        q = sqlite_insert(AgentStateRow.__table__)
        s.execute(q.on_conflict_do_update(index_elements=["session_id", "agent_id"],
                                          set_={"data": q.excluded.data, "updated_at": q.excluded.updated_at}),
                  rows)


def _upsert_messages(s, rows: list[dict[str, Any]]) -> None:
    if rows:  # an update keeps the message's created_at
        q = sqlite_insert(AgentMessageRow.__table__)
        s.execute(q.on_conflict_do_update(index_elements=["session_id", "agent_id", "message_id"],
                                          set_={"data": q.excluded.data}), rows)


def read_message(rt: Runtime, session_id: str, agent_id: str, message_id: int) -> dict[str, Any] | None:
    with rt.db.read() as s:
        row = s.get(AgentMessageRow, (session_id, agent_id, message_id))
        return dict(row.data) if row else None


def list_messages(rt: Runtime, session_id: str, agent_id: str, limit: int | None = None,
                  offset: int = 0) -> list[dict[str, Any]]:
    with rt.db.read() as s:
        q = (select(AgentMessageRow).where(AgentMessageRow.session_id == session_id,
                                           AgentMessageRow.agent_id == agent_id)
             .order_by(col(AgentMessageRow.message_id)).offset(offset))
        if limit is not None:
            q = q.limit(limit)
        return [dict(r.data) for r in s.exec(q)]


# ---- chat log --------------------------------------------------------------------------------

def append_chat(rt: Runtime, session_id: str, role: str, text: str, agent: str | None = None) -> None:
    with rt.db.write() as s:
        _insert_chat(s, [_chat_row(rt, session_id, role, text, agent)])


def _chat_row(rt: Runtime, session_id: str, role: str, text: str, agent: str | None) -> dict[str, Any]:
    return {"session_id": session_id, "role": role, "agent": agent, "text": redact_pans(text),
            "created_at": db_time(rt.clock.now())}


def _insert_chat(s, rows: list[dict[str, Any]]) -> None:
    if rows:
        s.execute(insert(ChatLogRow.__table__), rows)


def chat_log(rt: Runtime, session_id: str, limit: int = 500) -> list[ChatEntry]:
    with rt.db.read() as s:
        rows = s.exec(select(ChatLogRow).where(ChatLogRow.session_id == session_id)
                      .order_by(col(ChatLogRow.id).desc()).limit(limit)).all()
        return [ChatEntry(r.role, r.agent, r.text) for r in reversed(rows)]


# ---- one transaction per turn ------------------------------------------------------------------

class Journal:
    """A conversation's writes. Outside deferred() each write is its own transaction; inside, they
    are held and committed together by flush() (at the latest when deferred() exits, on success,
    error or cancellation alike). A crash mid-turn loses only that turn's chat lines and agent
    messages; what services committed (mandates, payments) stands, and a pending signature is
    still found through services after a restart."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._depth = 0
        self._chat: list[dict[str, Any]] = []
        self._messages: dict[tuple[str, str, int], dict[str, Any]] = {}
        self._agents: dict[tuple[str, str], dict[str, Any]] = {}
        self._touch: dict[str, tuple[Any, str | None]] = {}

    @property
    def pending(self) -> bool:
        return bool(self._chat or self._messages or self._agents or self._touch)

    @contextmanager
    def deferred(self):
        self._depth += 1
        try:
            yield self
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.flush()

    def _maybe_flush(self) -> None:
        if self._depth == 0:
            self.flush()

    def chat(self, session_id: str, role: str, text: str, agent: str | None = None) -> None:
        self._chat.append(_chat_row(self.rt, session_id, role, text, agent))
        self._maybe_flush()

    def message(self, session_id: str, agent_id: str, message_id: int, data: dict[str, Any]) -> None:
        key = (session_id, agent_id, message_id)
        row = _message_row(self.rt, session_id, agent_id, message_id, data)
        if key in self._messages:  # rewritten before it was stored: keep the first created_at
            row["created_at"] = self._messages[key]["created_at"]
        self._messages[key] = row
        self._maybe_flush()

    def agent(self, session_id: str, agent_id: str, data: dict[str, Any]) -> None:
        self._agents[(session_id, agent_id)] = _agent_row(self.rt, session_id, agent_id, data)
        self._maybe_flush()

    def touch(self, session_id: str, flow: str | None = None) -> None:
        previous = self._touch.get(session_id)
        self._touch[session_id] = (db_time(self.rt.clock.now()), flow or (previous[1] if previous else None))
        self._maybe_flush()

    def flush(self) -> None:
        if not self.pending:
            return
        # Held until committed: a failed flush (a busy file) is retried by the next one.
        with self.rt.db.write() as s:
            _insert_chat(s, self._chat)
            _upsert_messages(s, list(self._messages.values()))
            _upsert_agents(s, list(self._agents.values()))
            table = SessionRow.__table__
            for session_id, (when, flow) in self._touch.items():
                values: dict[str, Any] = {"last_activity_at": when}
                if flow:
                    values["current_flow_type"] = flow
                s.execute(update(table).where(table.c.session_id == session_id).values(**values))
        self._chat, self._messages, self._agents, self._touch = [], {}, {}, {}
