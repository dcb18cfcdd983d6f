"""The shopper's signature as a Strands interrupt.

request_user_*_signature marks the mandate pending (services.signatures.request_signature
publishes SignatureRequested, the TUI opens the dialog) and raises an interrupt: the whole agent
graph stops and Conversation returns. The shopper's answer resumes the graph; Strands re-runs
this tool, interrupt() now returns the answer, and the tool signs or declines through services.
The interrupt (with the interrupted specialist's turn) is persisted by the supervisor's session
manager, and the mandate row says pending_signature, so the pause survives a restart.
"""

from __future__ import annotations

from typing import Any

from strands import tool
from strands.types.tools import AgentTool, ToolContext

from ..core.errors import UserError
from ..core.statuses import MandateStatus
from ..services import signatures
from ..services.runtime import Runtime
from . import strands_adapter
from . import tool_names as names
from .strands_adapter import PausedCall
from .tools_common import LATEST, ToolMemory, activity, guarded, ok

INTERRUPT_NAME = "user_signature"


def _answered(tool_context: ToolContext) -> PausedCall | None:
    """This tool call's signature interrupt if it has been answered (Strands re-runs an interrupted
    tool on resume). The request must not be published twice, and the mandate id comes from the
    interrupt's reason: ToolMemory is empty after a restart."""
    state = strands_adapter.interrupt_state(tool_context.agent)
    found = state.find(INTERRUPT_NAME, answered=True, tool_use_id=tool_context.tool_use["toolUseId"])
    if found is None:  # paused by a version that did not record the tool call in the reason
        found = next((c for c in state.calls if c.name == INTERRUPT_NAME and c.response is not None
                      and isinstance(c.reason, dict) and "tool_use_id" not in c.reason), None)
    return found


def _ask(rt: Runtime, memory: ToolMemory, agent: str, kind: str, mandate_id: str | None,
         tool_context: ToolContext) -> dict[str, Any]:
    answered = _answered(tool_context)
    reason: dict[str, Any] | None = None
    if answered is not None and isinstance(answered.reason, dict):
        mid = answered.reason["mandate_id"]
    else:
        mid = memory.resolve(mandate_id, kind)
        view = signatures.request_signature(rt, mid)
        activity(rt, agent, f"waiting for your signature on {mid}…")
        reason = {"mandate_id": mid, "mandate_type": kind, "total_cents": view.total_cents,
                  "tool_use_id": tool_context.tool_use["toolUseId"]}
    answer = tool_context.interrupt(INTERRUPT_NAME, reason=reason)  # raises until answered
    if isinstance(answer, dict):
        approved = bool(answer.get("approved"))
    else:
        approved = str(answer).lower() in ("approve", "yes", "true")
    if approved:
        try:
            signatures.approve(rt, mid)  # checks the status in its own transaction
        except UserError:
            if signatures.status_of(rt, mid) != MandateStatus.SIGNED:  # a restart fallback may have signed it already
                raise
        return ok({"mandate_id": mid, "signature": "approved", "signed_by": "user",
                   "next": "payment" if kind == "cart" else "activate monitoring"})
    if signatures.status_of(rt, mid) in signatures.SIGNABLE:
        signatures.decline(rt, mid)
    return ok({"mandate_id": mid, "signature": "declined", "charged": False,
               "next": "acknowledge; nothing was charged; offer next steps"})


def signature_tool(rt: Runtime, memory: ToolMemory, agent: str, kind: str) -> AgentTool:
    """request_user_cart_signature (kind='cart') or request_user_intent_signature (kind='intent')."""
    if kind == "cart":
        @tool(name=names.REQUEST_USER_CART_SIGNATURE, context=True)
        def request_user_cart_signature(tool_context: ToolContext, cart_mandate_id: str = LATEST) -> dict:
            """Ask the shopper to sign the cart (the signature dialog is the confirmation: do not ask
            "shall I?" first). Pauses until they approve or decline.

            Args:
                cart_mandate_id: The cart id create_shopping_cart returned, or "latest" for the cart
                    created just before in this turn.
            """
            return guarded(rt, memory, names.REQUEST_USER_CART_SIGNATURE,
                           lambda: _ask(rt, memory, agent, "cart", cart_mandate_id, tool_context))

        return request_user_cart_signature

    @tool(name=names.REQUEST_USER_INTENT_SIGNATURE, context=True)
    def request_user_intent_signature(tool_context: ToolContext, intent_mandate_id: str = LATEST) -> dict:
        """Ask the shopper to sign the intent mandate; pauses until they approve or decline. Tell
        them first that the purchase will then happen automatically without further confirmation.

        Args:
            intent_mandate_id: The intent id create_hnp_intent returned, or "latest" for the intent
                created just before in this turn.
        """
        return guarded(rt, memory, names.REQUEST_USER_INTENT_SIGNATURE,
                       lambda: _ask(rt, memory, agent, "intent", intent_mandate_id, tool_context))

    return request_user_intent_signature
