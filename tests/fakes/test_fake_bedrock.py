"""Prove the wire path: real strands BedrockModel + boto3 against FakeBedrock on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer
from botocore.exceptions import ClientError

# Imported at module level on purpose: a cold `import strands` takes ~2 s on slow machines and would
# otherwise be charged to whichever test runs first.
from strands import Agent, tool
from strands.models import BedrockModel

from tests.fakes.fake_bedrock import FakeBedrock, ToolCall, Turn, bedrock_env, decode_event_stream, encode_event

MODEL_ID = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"



# Every socket.connect() made while _CONNECTS is a list gets recorded (audit hooks cannot be removed,
# so the hook is installed once and gated).
_CONNECTS: list[Any] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" and _CONNECTS is not None:
        _CONNECTS.append(args[1])


sys.addaudithook(_audit)


def make_agent(tools: list[Any] | None = None, *, streaming: bool = True, system_prompt: str | None = None) -> Agent:
    model = BedrockModel(model_id=MODEL_ID, region_name="us-east-1", streaming=streaming)
    return Agent(model=model, callback_handler=None, tools=tools or [], system_prompt=system_prompt)


def make_add_tool(calls: list[tuple[int, int]]) -> Any:
    @tool
    def add(a: int, b: int) -> int:
        """Add two integers.

        Args:
            a: first addend
            b: second addend
        """
        calls.append((a, b))
        return a + b

    return add


@pytest.fixture
def fake_factory(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    started: list[FakeBedrock] = []

    def factory(script: Any) -> FakeBedrock:
        fake = FakeBedrock(script).start()
        started.append(fake)
        bedrock_env(monkeypatch, fake.endpoint_url)
        return fake

    yield factory
    for fake in started:
        fake.stop()


def _tool_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        block["toolResult"]
        for message in request["messages"]
        if message["role"] == "user"
        for block in message["content"]
        if "toolResult" in block
    ]


# (1) tool round trip through the real Agent loop ----------------------------------------------------


def test_agent_tool_round_trip_streaming(fake_factory: Any) -> None:
    fake = fake_factory(
        [
            Turn.tool("add", {"a": 2, "b": 3}, input_tokens=100, output_tokens=20),
            Turn.text("The answer is 5", input_tokens=130, output_tokens=7),
        ]
    )
    ran: list[tuple[int, int]] = []
    agent = make_agent([make_add_tool(ran)], system_prompt="You are a calculator.")
    assert agent.model.client.meta.endpoint_url == fake.endpoint_url  # nothing can reach AWS

    global _CONNECTS
    _CONNECTS = []
    try:
        result = agent("What is 2 + 3?")
    finally:
        connects, _CONNECTS = _CONNECTS, None

    assert connects, "expected boto3 to open a socket"
    assert {address[0] for address in connects} == {"127.0.0.1"}

    assert str(result).strip() == "The answer is 5"
    assert result.stop_reason == "end_turn"
    assert ran == [(2, 3)]
    assert fake.remaining == 0
    assert [c.operation for c in fake.calls] == ["converse-stream", "converse-stream"]
    assert {c.model_id for c in fake.calls} == {MODEL_ID}  # ':' and '.' survive URL encoding

    first, second = fake.requests
    assert first["system"] == [{"text": "You are a calculator."}]
    [spec] = [t["toolSpec"] for t in first["toolConfig"]["tools"] if "toolSpec" in t]
    assert spec["name"] == "add"
    assert set(spec["inputSchema"]["json"]["properties"]) == {"a", "b"}
    assert first["messages"] == [{"role": "user", "content": [{"text": "What is 2 + 3?"}]}]

    # The assistant toolUse went back with the parsed input, followed by the toolResult carrying 5.
    tool_use = second["messages"][1]["content"][0]["toolUse"]
    assert tool_use == {"toolUseId": "tooluse_fake_0001", "name": "add", "input": {"a": 2, "b": 3}}
    [tool_result] = _tool_results(second)
    assert tool_result["toolUseId"] == "tooluse_fake_0001"
    assert tool_result["status"] == "success"
    assert tool_result["content"] == [{"text": "5"}]

    usage = result.metrics.accumulated_usage
    assert usage["inputTokens"] == 230
    assert usage["outputTokens"] == 27
    assert usage["totalTokens"] == 257
    assert result.metrics.accumulated_metrics["latencyMs"] == 84


def test_callable_responder_and_parallel_tool_calls(fake_factory: Any) -> None:
    def responder(request: dict[str, Any]) -> Turn | str:
        results = _tool_results(request)
        if not results:
            return Turn.tools(
                [ToolCall("add", {"a": 1, "b": 2}, "tu-a"), ("add", {"a": 10, "b": 20}, "tu-b")],
                text="Let me add both.",
            )
        totals = sorted(r["content"][0]["text"] for r in results)
        return f"Totals: {', '.join(totals)}"

    fake = fake_factory(responder)
    ran: list[tuple[int, int]] = []
    result = make_agent([make_add_tool(ran)])("add 1+2 and 10+20")

    assert str(result).strip() == "Totals: 3, 30"
    assert sorted(ran) == [(1, 2), (10, 20)]
    assistant = fake.requests[1]["messages"][1]["content"]
    assert assistant[0] == {"text": "Let me add both."}
    assert [b["toolUse"]["toolUseId"] for b in assistant[1:]] == ["tu-a", "tu-b"]


# (2) plain text, streaming and non-streaming ----------------------------------------------------------


def test_plain_text_streaming(fake_factory: Any) -> None:
    fake = fake_factory([Turn.text("Hello from the fake Bedrock")])
    agent = make_agent()

    deltas: list[str] = []

    async def collect() -> Any:
        async for event in agent.stream_async("hi"):
            if "data" in event:
                deltas.append(event["data"])
            if "result" in event:
                return event["result"]

    result = asyncio.run(collect())
    assert str(result).strip() == "Hello from the fake Bedrock"
    assert len(deltas) > 1 and "".join(deltas) == "Hello from the fake Bedrock"
    assert fake.calls[0].operation == "converse-stream"
    assert "toolConfig" not in fake.requests[0]


def test_plain_text_non_streaming(fake_factory: Any) -> None:
    fake = fake_factory([Turn.text("Hello, not streamed", input_tokens=3, output_tokens=4)])
    result = make_agent(streaming=False)("hi")

    assert str(result).strip() == "Hello, not streamed"
    assert [c.operation for c in fake.calls] == ["converse"]
    assert result.metrics.accumulated_usage["totalTokens"] == 7


def test_tool_round_trip_non_streaming(fake_factory: Any) -> None:
    fake = fake_factory([Turn.tool("add", {"a": 4, "b": 4}), Turn.text("8")])
    ran: list[tuple[int, int]] = []
    result = make_agent([make_add_tool(ran)], streaming=False)("4+4?")

    assert str(result).strip() == "8"
    assert ran == [(4, 4)]
    assert _tool_results(fake.requests[1])[0]["content"] == [{"text": "8"}]


# Failure modes are readable ------------------------------------------------------------------------------


def test_exhausted_script_fails_readably(fake_factory: Any) -> None:
    fake = fake_factory([])
    with pytest.raises(ClientError) as info:
        make_agent()("anyone there?")
    assert info.value.response["Error"]["Code"] == "InternalServerException"
    assert "script exhausted" in str(info.value)
    assert "anyone there?" in str(info.value)
    assert len(fake.requests) == 1  # AWS_MAX_ATTEMPTS=1: no botocore retries


def test_scripted_error_turn(fake_factory: Any) -> None:
    fake_factory([Turn.error("The provided model identifier is invalid.")])
    with pytest.raises(ClientError) as info:
        make_agent()("hi")
    assert info.value.response["Error"]["Code"] == "ValidationException"


def test_unknown_path_is_404_json(fake_factory: Any) -> None:
    fake = fake_factory([])
    request = urllib.request.Request(f"{fake.endpoint_url}/model/x/invoke", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 404
    assert info.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert "no route" in json.loads(info.value.read())["message"]


# (3) frames decode with botocore's own parser --------------------------------------------------------------


def test_frames_decode_with_botocore_event_stream_buffer() -> None:
    fake = FakeBedrock([])  # not started: frame building needs no server
    frames = fake.stream_frames(Turn.tools([("add", {"a": 2, "b": 3})], text="Adding."))

    buffer = EventStreamBuffer()
    buffer.add_data(b"".join(frames))
    messages = list(buffer)  # validates prelude and message CRC32 of every frame
    assert len(messages) == len(frames)
    for message in messages:
        assert message.headers[":message-type"] == "event"
        assert message.headers[":content-type"] == "application/json"

    decoded = decode_event_stream(b"".join(frames))
    assert [h[":event-type"] for h, _ in decoded] == [
        "messageStart",
        "contentBlockDelta",  # text block: no contentBlockStart (a tagged union botocore rejects empty)
        "contentBlockStop",
        "contentBlockStart",
        "contentBlockDelta",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
    ]
    tool_json = "".join(p["delta"]["toolUse"]["input"] for h, p in decoded if "toolUse" in p.get("delta", {}))
    assert json.loads(tool_json) == {"a": 2, "b": 3}
    assert decoded[-2][1] == {"stopReason": "tool_use"}
    assert decoded[-1][1]["usage"] == {"inputTokens": 10, "outputTokens": 5, "totalTokens": 15}

    # Fed byte by byte (as a socket may deliver it) the buffer yields the same messages.
    buffer = EventStreamBuffer()
    count = 0
    for byte in b"".join(frames):
        buffer.add_data(bytes([byte]))
        count += len(list(buffer))
    assert count == len(frames)

    # And the CRC really is checked: flip one payload byte.
    corrupt = bytearray(encode_event("messageStart", {"role": "assistant"}))
    corrupt[-6] ^= 0x01
    buffer = EventStreamBuffer()
    buffer.add_data(bytes(corrupt))
    with pytest.raises(ChecksumMismatch):
        list(buffer)
