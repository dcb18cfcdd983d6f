"""A full HP purchase through the real strands BedrockModel + boto3, against a local fake
Bedrock whose "model" is the offline policy (so the same agents, prompts and tools are driven
over the wire). Never reaches AWS: bedrock_env points boto3 at 127.0.0.1 with dummy keys."""

from __future__ import annotations

from ghostcart_tui.agents.conversation import Conversation
from ghostcart_tui.agents.offline.model import decide
from tests.fakes.fake_bedrock import FakeBedrock, ToolCall, Turn, bedrock_env


def responder(body: dict) -> Turn:
    system = "\n".join(b.get("text", "") for b in body.get("system", []))
    specs = [t["toolSpec"] for t in body.get("toolConfig", {}).get("tools", []) if "toolSpec" in t]
    reply = decide(body["messages"], system, specs)
    if reply.calls:
        return Turn.tools([ToolCall(name, args) for name, args in reply.calls], text=reply.text or None)
    return Turn.text(reply.text)


async def test_hp_purchase_through_bedrock_model(rt, events, monkeypatch):
    with FakeBedrock(responder) as fake:
        bedrock_env(monkeypatch, fake.endpoint_url)
        convo = Conversation(rt, model="bedrock")
        assert convo.provider == "bedrock" and convo.model_label == rt.settings.aws_bedrock_model_id

        out = await convo.send("Buy a coffee maker under $90")
        sig = events.one("signature_requested")
        assert sig.total_cents == 8452 and out.pending_signature is not None

        out = await convo.answer_signature(sig.mandate_id, True)
        tx = events.one("transaction")
        assert (tx.status, tx.amount_cents) == ("authorized", 8452)
        assert tx.authorization_code in out.text

        calls = fake.calls
        assert calls and all(c.operation == "converse-stream" for c in calls)
        assert all(c.model_id == rt.settings.aws_bedrock_model_id for c in calls)
        assert out.metrics["input_tokens"] == 10 * out.metrics["model_invocations"]  # the fake's usage
        assert len(calls) <= 8
