"""What every tool shares: compact JSON results, errors as tool results (never a traceback),
activity events, and the per-conversation memory tools keep between calls.

Tools are closures over a Runtime and a ToolMemory, so no invocation_state has to be threaded
through Agent.as_tool (which does not forward it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..ap2.errors import AP2Error
from ..core.errors import UserError
from ..core.events import AgentActivity, ErrorOccurred
from ..core.money import MoneyError, format_cents
from ..services.runtime import Runtime

log = logging.getLogger(__name__)

LATEST = "latest"  # placeholder id: "the cart/intent created just before in this turn"


@dataclass
class ToolMemory:
    """Ids the tools hand each other within one conversation (e.g. the cart a signature is for)."""

    last_cart_id: str | None = None
    last_intent_id: str | None = None
    last_payment: dict[str, Any] = field(default_factory=dict)  # cart id, token, status of the latest payment
    tool_calls: list[str] = field(default_factory=list)

    def resolve(self, given: str | None, kind: str) -> str:
        fallback = self.last_cart_id if kind == "cart" else self.last_intent_id
        if not given or given.strip().lower() in (LATEST, "last", "$latest"):
            if not fallback:
                raise UserError(f"no {kind} has been created yet")
            return fallback
        return given.strip()


def ok(data: dict[str, Any]) -> dict[str, Any]:
    return {"status": "success", "content": [{"text": json.dumps(data, separators=(",", ":"), ensure_ascii=False)}]}


def failed(code: str, message: str, **extra: Any) -> dict[str, Any]:
    body = {"error_code": code, "message": message, **extra}
    return {"status": "error", "content": [{"text": json.dumps(body, separators=(",", ":"), ensure_ascii=False)}]}


def money(cents: int | None) -> str | None:
    return None if cents is None else format_cents(cents)


def activity(rt: Runtime, agent: str, text: str) -> None:
    rt.bus.publish(AgentActivity(agent=agent, text=text))


def guarded(rt: Runtime, memory: ToolMemory, name: str, fn: Callable[[], dict[str, Any]], *,
            show_errors: bool = True) -> dict[str, Any]:
    """Run one tool body; user-facing failures become tool results (and error events)."""
    memory.tool_calls.append(name)
    try:
        return fn()
    except AP2Error as exc:
        code, message = exc.code, exc.message
    except MoneyError as exc:
        code, message = "invalid_amount", str(exc)
    except UserError as exc:  # NotFound included
        code, message = ("not_found" if type(exc).__name__ == "NotFound" else "user_error"), str(exc)
    except Exception as exc:  # a bug must not leak a traceback into the chat; the log keeps it
        from strands.interrupt import InterruptException

        if isinstance(exc, InterruptException):  # the signature pause is control flow, not an error
            raise
        log.exception("tool %s failed", name)
        code, message = "internal_error", f"{name} failed unexpectedly ({type(exc).__name__})"
    if show_errors:
        rt.bus.publish(ErrorOccurred(error_code=code, message=message))
    return failed(code, message)
