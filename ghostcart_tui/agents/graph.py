"""The agent graph: a supervisor whose tools are the shopping and delegate specialists
(Agent.as_tool, so a specialist's signature interrupt propagates to the supervisor and is
persisted with it), and a domain-independent payment agent the shopping tools call.

- Specialists are as_tool(preserve_context=False, delegate=True): each call starts fresh from the
  supervisor's self-contained request, and its answer is the turn's answer (no extra supervisor
  model call). preserve_context=False also makes Strands store the interrupted specialist turn in
  the supervisor's interrupt state, which the supervisor's session manager writes to SQLite.
- Specialists and the payment agent run their tools in order (SequentialToolExecutor): the offline
  model batches cart+signature, read-back+pay, validate+credentials+authorize in one message.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from strands import Agent
from strands.tools.executors import SequentialToolExecutor

from ..services.conversations import Journal
from ..services.runtime import Runtime
from . import prompts
from . import tool_names as tn
from .metering import Meter, meter_agents
from .provider import ProviderChoice, build_model
from .session_store import session_manager
from .tools_common import ToolMemory, money
from .tools_delegate import delegate_tools
from .tools_payment import payment_tools
from .tools_shopping import shopping_tools


@dataclass
class AgentGraph:
    supervisor: Agent
    shopping: Agent
    delegate: Agent
    payment: Agent
    memory: ToolMemory
    meter: Meter


def build_graph(rt: Runtime, choice: ProviderChoice, session_id: str, meter: Meter,
                journal: Journal | None = None) -> AgentGraph:
    memory = ToolMemory()
    world = None
    if choice.provider == "offline":
        from .offline.world import World

        world = World(rt, session_id)

    def model(agent: str) -> Any:
        inner = build_model(choice, rt.settings)
        if world is not None and hasattr(inner, "attach"):
            inner.attach(world)  # the offline model reads the catalog, clock and conversation state
        return inner

    payment = Agent(name="payment", agent_id="payment", model=model("payment"), system_prompt=prompts.PAYMENT,
                    tools=payment_tools(rt, memory), tool_executor=SequentialToolExecutor(),
                    callback_handler=None)
    payment_lock = asyncio.Lock()

    async def run_payment(payment_mandate_id: str, mode: str, amount_cents: int) -> str:
        presence = "human present" if mode == "hp" else "human not present"
        request = (f"Process payment mandate {payment_mandate_id} ({mode.upper()}, {presence}) for "
                   f"{money(amount_cents)}. Validate with validate_{mode}_chain.")
        async with payment_lock:
            payment.messages = []  # one mandate per call: no history, no product knowledge
            result = await payment.invoke_async(request)
        return str(result)

    shopping = Agent(name="shopping", agent_id="shopping", model=model("shopping"), system_prompt=prompts.SHOPPING,
                     tools=shopping_tools(rt, memory, run_payment), tool_executor=SequentialToolExecutor(),
                     callback_handler=None)
    delegate = Agent(name="delegate", agent_id="delegate", model=model("delegate"), system_prompt=prompts.DELEGATE,
                     tools=delegate_tools(rt, memory), tool_executor=SequentialToolExecutor(),
                     callback_handler=None)
    supervisor = Agent(
        name="supervisor", agent_id="supervisor", model=model("supervisor"), system_prompt=prompts.SUPERVISOR,
        tools=[shopping.as_tool(name=tn.SHOPPING_AGENT, description=prompts.SHOPPING_TOOL_DESC, delegate=True),
               delegate.as_tool(name=tn.DELEGATE_AGENT, description=prompts.DELEGATE_TOOL_DESC, delegate=True)],
        session_manager=session_manager(rt, session_id, journal), callback_handler=None,
    )
    meter_agents(meter, rt.bus, supervisor, shopping, delegate, payment)
    return AgentGraph(supervisor, shopping, delegate, payment, memory, meter)
