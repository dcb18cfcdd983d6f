"""Payment agent tools. Domain independent: mandate ids, tokens and amounts, never products.

They run in order (SequentialToolExecutor): validate the chain, retrieve the tokenized
credentials, authorize. authorize() re-validates in code, so a skipped or failed validation can
never lead to a charge.

Once the processor's answer is recorded (authorized or declined), process_payment_authorization
ends the payment agent's loop with that outcome as its answer (Agent.cancel after the current
tools, Strands' cooperative stop): the caller reads the outcome from the database, so a model
round-trip only to phrase it would be wasted. A failure still goes back to the model to explain.
"""

from __future__ import annotations

from strands import ToolContext, tool

from ..commerce.processor import describe_decline
from ..core.events import AgentMessage
from ..core.statuses import TransactionStatus
from ..services import payments
from ..services.runtime import Runtime
from . import tool_names as names
from .tools_common import ToolMemory, activity, failed, guarded, money, ok


def payment_tools(rt: Runtime, memory: ToolMemory) -> list:
    agent = "payment"

    def validate(payment_mandate_id: str, mode: str) -> dict:
        activity(rt, agent, f"validating the {mode.upper()} mandate chain…")
        report = payments.validate_chain(rt, payment_mandate_id)
        v = report.first_failure  # None exactly when report.ok
        if v is not None:
            return failed(v.code or "ap2:mandate:chain_invalid", v.reason, check=v.check)
        return ok({"payment_mandate_id": payment_mandate_id, "chain": "valid", "checks": len(report.verdicts)})

    @tool(name=names.VALIDATE_HP_CHAIN)
    def validate_hp_chain(payment_mandate_id: str) -> dict:
        """Verify a human-present chain: user-signed cart → payment mandate (signatures, expiry).

        Args:
            payment_mandate_id: The payment mandate id.
        """
        return guarded(rt, memory, names.VALIDATE_HP_CHAIN, lambda: validate(payment_mandate_id, "hp"))

    @tool(name=names.VALIDATE_HNP_CHAIN)
    def validate_hnp_chain(payment_mandate_id: str) -> dict:
        """Verify a human-not-present chain: signed intent → agent cart → payment (limits included).

        Args:
            payment_mandate_id: The payment mandate id.
        """
        return guarded(rt, memory, names.VALIDATE_HNP_CHAIN, lambda: validate(payment_mandate_id, "hnp"))

    @tool(name=names.RETRIEVE_PAYMENT_CREDENTIALS)
    def retrieve_payment_credentials(payment_mandate_id: str) -> dict:
        """Get the tokenized payment method the mandate names (a token, never a card number).

        Args:
            payment_mandate_id: The payment mandate id.
        """
        def run() -> dict:
            activity(rt, agent, "retrieving payment credentials…")
            m = payments.retrieve_credentials(rt, payment_mandate_id)
            return ok({"token": m.token, "method": m.label})

        return guarded(rt, memory, names.RETRIEVE_PAYMENT_CREDENTIALS, run)

    @tool(name=names.PROCESS_PAYMENT_AUTHORIZATION, context=True)
    def process_payment_authorization(payment_mandate_id: str, tool_context: ToolContext) -> dict:
        """Ask the processor to authorize the payment (once per mandate; retries are idempotent).

        Args:
            payment_mandate_id: The payment mandate id.
        """
        def run() -> dict:
            activity(rt, agent, "authorizing with the processor…")
            o = payments.authorize(rt, payment_mandate_id)
            data = {"transaction_id": o.transaction_id, "status": o.status, "amount": money(o.amount_cents)}
            if o.status == TransactionStatus.AUTHORIZED:
                data["authorization_code"] = o.authorization_code
                summary = (f"Payment {payment_mandate_id} authorized for {data['amount']} "
                           f"(code {o.authorization_code}).")
            else:
                data["decline_reason"] = o.decline_reason
                data["decline_text"] = describe_decline(o.decline_reason)
                summary = f"Payment {payment_mandate_id} was declined: {data['decline_text'] or o.decline_reason}."
            # The outcome is recorded: end the loop with it (no model call to phrase it), and say
            # it in the chat as the agent's answer would have been.
            tool_context.agent.cancel(message=summary, after_current_tools=True)
            rt.bus.publish(AgentMessage(agent=agent, text=summary))
            return ok(data)

        return guarded(rt, memory, names.PROCESS_PAYMENT_AUTHORIZATION, run)

    return [validate_hp_chain, validate_hnp_chain, retrieve_payment_credentials, process_payment_authorization]
