"""Strands session repository over GhostCart's SQLite tables (via services.conversations).

The supervisor is the only agent with a session manager: its messages and its interrupt state
(which holds the interrupted specialist's turn, see Agent.as_tool) are what a restart needs.
Writes go through the conversation's Journal, so a turn's messages and agent state are committed
in one transaction when the turn ends (see Conversation._run); a read flushes what is held first.
Imported only from code that already imports strands.
"""

from __future__ import annotations

from typing import Any

from strands.session.repository_session_manager import RepositorySessionManager
from strands.session.session_repository import SessionRepository
from strands.types.session import Session, SessionAgent, SessionMessage, SessionType

from ..services import conversations as conv
from ..services.runtime import Runtime


class SqliteSessionRepository(SessionRepository):
    def __init__(self, rt: Runtime, journal: conv.Journal | None = None) -> None:
        self.rt = rt
        self.journal = journal or conv.Journal(rt)

    def create_session(self, session: Session, **kwargs: Any) -> Session:
        conv.ensure_session(self.rt, session.session_id, {"session_type": session.session_type.value})
        return session

    def read_session(self, session_id: str, **kwargs: Any) -> Session | None:
        data = conv.read_session(self.rt, session_id)
        if data is None:
            return None
        return Session(session_id=session_id, session_type=SessionType(data.get("session_type", "AGENT")),
                       created_at=data["created_at"], updated_at=data["updated_at"])

    def create_agent(self, session_id: str, session_agent: SessionAgent, **kwargs: Any) -> None:
        self.journal.agent(session_id, session_agent.agent_id, session_agent.to_dict())

    def read_agent(self, session_id: str, agent_id: str, **kwargs: Any) -> SessionAgent | None:
        self.journal.flush()
        data = conv.read_agent(self.rt, session_id, agent_id)
        return SessionAgent.from_dict(data) if data else None

    def update_agent(self, session_id: str, session_agent: SessionAgent, **kwargs: Any) -> None:
        self.journal.agent(session_id, session_agent.agent_id, session_agent.to_dict())

    def create_message(self, session_id: str, agent_id: str, session_message: SessionMessage, **kwargs: Any) -> None:
        self.journal.message(session_id, agent_id, session_message.message_id, session_message.to_dict())

    def read_message(self, session_id: str, agent_id: str, message_id: int, **kwargs: Any) -> SessionMessage | None:
        self.journal.flush()
        data = conv.read_message(self.rt, session_id, agent_id, message_id)
        return SessionMessage.from_dict(data) if data else None

    def update_message(self, session_id: str, agent_id: str, session_message: SessionMessage, **kwargs: Any) -> None:
        self.journal.message(session_id, agent_id, session_message.message_id, session_message.to_dict())

    def list_messages(self, session_id: str, agent_id: str, limit: int | None = None, offset: int = 0,
                      **kwargs: Any) -> list[SessionMessage]:
        self.journal.flush()
        return [SessionMessage.from_dict(d) for d in conv.list_messages(self.rt, session_id, agent_id, limit, offset)]


def session_manager(rt: Runtime, session_id: str, journal: conv.Journal | None = None) -> RepositorySessionManager:
    return RepositorySessionManager(session_id=session_id, session_repository=SqliteSessionRepository(rt, journal))
