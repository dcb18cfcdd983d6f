"""Conversation persistence: the chat log the shopper saw, and the raw rows behind the agents'
session repository (agents/session_store.py adapts these to Strands; services know no Strands).

Agent state and messages are stored as the JSON dicts Strands hands over, keyed by
(session, agent[, message index]), so a conversation and a pending interrupt survive a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    now = db_time(rt.clock.now())
    data = redact_in(data)  # no card number typed into the chat is ever stored
    with rt.db.write() as s:
        row = s.get(AgentStateRow, (session_id, agent_id))
        if row is None:
            row = AgentStateRow(session_id=session_id, agent_id=agent_id, data=data, updated_at=now)
        else:
            row.data, row.updated_at = data, now
        s.add(row)


def write_message(rt: Runtime, session_id: str, agent_id: str, message_id: int, data: dict[str, Any]) -> None:
    now = db_time(rt.clock.now())
    data = redact_in(data)
    with rt.db.write() as s:
        row = s.get(AgentMessageRow, (session_id, agent_id, message_id))
        if row is None:
            row = AgentMessageRow(session_id=session_id, agent_id=agent_id, message_id=message_id,
                                  data=data, created_at=now)
        else:
            row.data = data
        s.add(row)


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
        s.add(ChatLogRow(session_id=session_id, role=role, agent=agent, text=redact_pans(text),
                         created_at=db_time(rt.clock.now())))


def chat_log(rt: Runtime, session_id: str, limit: int = 500) -> list[ChatEntry]:
    with rt.db.read() as s:
        rows = s.exec(select(ChatLogRow).where(ChatLogRow.session_id == session_id)
                      .order_by(col(ChatLogRow.id).desc()).limit(limit)).all()
        return [ChatEntry(r.role, r.agent, r.text) for r in reversed(rows)]
