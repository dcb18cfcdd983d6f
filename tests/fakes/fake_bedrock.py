"""A fake AWS Bedrock Runtime server for driving the real strands ``BedrockModel`` + boto3 offline.

The server listens on 127.0.0.1 only (ephemeral port) and speaks just enough of the Bedrock Runtime
REST-JSON protocol for ``Converse`` and ``ConverseStream``:

* ``POST /model/{modelId}/converse-stream`` answers ``application/vnd.amazon.eventstream`` frames
  (messageStart; per block contentBlockStart (toolUse blocks only), contentBlockDelta…, contentBlockStop;
  messageStop; metadata);
* ``POST /model/{modelId}/converse`` answers the equivalent non-streaming JSON document;
* anything else answers 404 with a JSON error; an exhausted script answers 500 with a readable message.

Usage::

    with FakeBedrock([Turn.tool("add", {"a": 2, "b": 3}), Turn.text("The answer is 5")]) as fake:
        bedrock_env(monkeypatch, fake.endpoint_url)
        agent = Agent(model=BedrockModel(model_id=..., region_name="us-east-1"), tools=[add])
        agent("what is 2 + 3?")
        assert fake.requests[1]["messages"][-1]["content"][0]["toolResult"]["toolUseId"] == ...

The shapes follow botocore's service model (``data/bedrock-runtime/*/service-2.json``:
``ConverseStreamOutput`` / ``ConverseResponse``).
"""

from __future__ import annotations

import binascii
import itertools
import json
import re
import struct
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = [
    "FakeBedrock",
    "RecordedCall",
    "ScriptExhausted",
    "TextBlock",
    "ToolCall",
    "Turn",
    "bedrock_env",
    "decode_event_stream",
    "encode_event",
    "encode_frame",
]

EVENTSTREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"
_HEADER_TYPE_STRING = 7
_ROUTE = re.compile(r"^/model/(?P<model_id>[^/]+)/(?P<operation>converse|converse-stream)$")


# --------------------------------------------------------------------------------------------------
# Script: what the fake model answers
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextBlock:
    """A text content block; streamed as one delta per word (whitespace kept)."""

    text: str


@dataclass(frozen=True)
class ToolCall:
    """A toolUse content block. ``tool_use_id=None`` gets a deterministic id (``tooluse_fake_0001``…)."""

    name: str
    input: dict[str, Any] = field(default_factory=dict)
    tool_use_id: str | None = None


@dataclass(frozen=True)
class Turn:
    """One scripted model answer (one assistant message).

    Build with :meth:`text`, :meth:`tool`, :meth:`tools` or :meth:`error`; ``input_tokens`` /
    ``output_tokens`` / ``latency_ms`` go into the ``metadata`` event (stream) or ``usage`` /
    ``metrics`` (non-streaming), so tests can assert accumulated usage exactly.
    """

    blocks: tuple[TextBlock | ToolCall, ...] = ()
    stop_reason: str = "end_turn"
    input_tokens: int = 10
    output_tokens: int = 5
    latency_ms: int = 42
    # When set, the HTTP answer is this error instead of a model message: (status, code, message).
    http_error: tuple[int, str, str] | None = None

    @classmethod
    def text(
        cls,
        text: str,
        *,
        stop_reason: str = "end_turn",
        input_tokens: int = 10,
        output_tokens: int = 5,
        latency_ms: int = 42,
    ) -> Turn:
        """A plain text answer (stop reason ``end_turn``), streamed as several deltas."""
        return cls(
            blocks=(TextBlock(text),),
            stop_reason=stop_reason,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_ms=latency_ms,
        )

    @classmethod
    def tool(
        cls,
        name: str,
        input: dict[str, Any] | None = None,
        tool_use_id: str | None = None,
        *,
        text: str | None = None,
        input_tokens: int = 10,
        output_tokens: int = 5,
        latency_ms: int = 42,
    ) -> Turn:
        """One tool call (stop reason ``tool_use``); ``text`` is an optional preamble block before it."""
        return cls.tools(
            [ToolCall(name, dict(input or {}), tool_use_id)],
            text=text,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_ms=latency_ms,
        )

    @classmethod
    def tools(
        cls,
        calls: Iterable[ToolCall | tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], str | None]],
        *,
        text: str | None = None,
        input_tokens: int = 10,
        output_tokens: int = 5,
        latency_ms: int = 42,
    ) -> Turn:
        """Several tool calls in one assistant message (stop reason ``tool_use``).

        ``calls`` items are :class:`ToolCall` or ``(name, input)`` / ``(name, input, tool_use_id)`` tuples.
        """
        blocks: list[TextBlock | ToolCall] = [TextBlock(text)] if text else []
        for call in calls:
            blocks.append(call if isinstance(call, ToolCall) else ToolCall(*call))
        if not any(isinstance(b, ToolCall) for b in blocks):
            raise ValueError("Turn.tools() needs at least one tool call")
        return cls(
            blocks=tuple(blocks),
            stop_reason="tool_use",
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_ms=latency_ms,
        )

    @classmethod
    def error(cls, message: str, *, status: int = 400, code: str = "ValidationException") -> Turn:
        """An HTTP error answer (botocore raises ``ClientError`` with this code and message).

        Note: strands retries ``ThrottlingException`` with real back-off sleeps; avoid it in fast tests.
        """
        return cls(http_error=(status, code, message))


Responder = Callable[[dict[str, Any]], "Turn | str"]


class ScriptExhausted(Exception):
    """Raised inside the server when a request arrives after the last scripted turn (answered as 500)."""


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received (recorded before it is answered, including failing ones)."""

    operation: str  # "converse-stream" | "converse" | "unknown"
    model_id: str | None  # URL-decoded
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON (dict) or None when the body was not JSON


# --------------------------------------------------------------------------------------------------
# AWS event-stream encoding
# --------------------------------------------------------------------------------------------------


def _crc32(data: bytes, crc: int = 0) -> int:
    return binascii.crc32(data, crc) & 0xFFFFFFFF


def encode_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """Encode one AWS event-stream message with string-typed (type 7) headers.

    Layout: total length (u32) | headers length (u32) | prelude CRC32 (u32) | headers | payload |
    message CRC32 (u32, over everything before it). All integers big-endian.
    """
    header_bytes = bytearray()
    for name, value in headers.items():
        name_b = name.encode("utf-8")
        value_b = value.encode("utf-8")
        header_bytes += struct.pack(">B", len(name_b)) + name_b
        header_bytes += struct.pack(">BH", _HEADER_TYPE_STRING, len(value_b)) + value_b
    total_length = 12 + len(header_bytes) + len(payload) + 4
    prelude = struct.pack(">II", total_length, len(header_bytes))
    prelude += struct.pack(">I", _crc32(prelude))
    message = prelude + bytes(header_bytes) + payload
    return message + struct.pack(">I", _crc32(message))


def encode_event(event_type: str, body: dict[str, Any]) -> bytes:
    """Encode one ``:message-type=event`` frame with a JSON payload."""
    return encode_frame(
        {
            ":event-type": event_type,
            ":content-type": "application/json",
            ":message-type": "event",
        },
        json.dumps(body, separators=(",", ":")).encode("utf-8"),
    )


def decode_event_stream(data: bytes) -> list[tuple[dict[str, Any], Any]]:
    """Decode frames with botocore's own ``EventStreamBuffer`` (validates both CRCs).

    Returns ``[(headers, parsed_json_payload), ...]``.
    """
    from botocore.eventstream import EventStreamBuffer

    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return [(dict(message.headers), json.loads(message.payload)) for message in buffer]


def _split_words(text: str) -> list[str]:
    """Split text into several deltas (one per word, trailing whitespace kept); never empty."""
    parts = re.findall(r"\s*\S+\s*", text) or [text]
    return parts


def _split_json(text: str) -> list[str]:
    """Split a JSON string into two fragments, as Bedrock streams partial tool input."""
    if len(text) < 2:
        return [text]
    middle = len(text) // 2
    return [text[:middle], text[middle:]]


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------


class FakeBedrock:
    """A Bedrock Runtime stand-in on ``127.0.0.1:<ephemeral port>``, run in a daemon thread.

    ``script`` is a list of :class:`Turn` (consumed one per request, across both operations) or a
    callable receiving the parsed request JSON (``messages``, ``system``, ``toolConfig``, …) and returning
    a :class:`Turn` (a plain ``str`` is taken as ``Turn.text``). Every request body is recorded in
    :attr:`requests` (parsed JSON), full details in :attr:`calls`.
    """

    def __init__(self, script: Sequence[Turn] | Responder) -> None:
        if callable(script):
            self._responder: Responder | None = script
            self._script: list[Turn] = []
        else:
            self._responder = None
            self._script = list(script)
            for i, turn in enumerate(self._script):
                if not isinstance(turn, Turn):
                    raise TypeError(f"script[{i}] is {type(turn).__name__}, expected Turn")
        self._lock = threading.Lock()
        self._next_turn = 0
        self._tool_ids = itertools.count(1)
        self._calls: list[RecordedCall] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> FakeBedrock:
        if self._server is not None:
            raise RuntimeError("FakeBedrock already started")
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="FakeBedrock", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeBedrock:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- inspection --------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBedrock is not running")
        return self._server.server_address[1]

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._calls)

    @property
    def requests(self) -> list[Any]:
        """Parsed JSON bodies of every request received, in order (failed ones included)."""
        return [call.body for call in self.calls]

    @property
    def remaining(self) -> int:
        """Scripted turns not consumed yet (always 0 for a callable responder)."""
        with self._lock:
            return len(self._script) - self._next_turn

    # -- request handling (called from handler threads) --------------------------------------------

    def _record(self, call: RecordedCall) -> int:
        with self._lock:
            self._calls.append(call)
            return len(self._calls)

    def _next(self, body: dict[str, Any], request_number: int, operation: str) -> Turn:
        if self._responder is not None:
            turn = self._responder(body)
        else:
            with self._lock:
                index = self._next_turn
                if index >= len(self._script):
                    raise ScriptExhausted(
                        f"FakeBedrock script exhausted: request #{request_number} ({operation}) arrived but only "
                        f"{len(self._script)} turn(s) were scripted. Last user text: {_last_user_text(body)!r}"
                    )
                self._next_turn += 1
            turn = self._script[index]
        if isinstance(turn, str):
            turn = Turn.text(turn)
        if not isinstance(turn, Turn):
            raise TypeError(f"responder returned {type(turn).__name__}, expected Turn or str")
        return turn

    def _resolved_blocks(self, turn: Turn) -> list[TextBlock | ToolCall]:
        blocks: list[TextBlock | ToolCall] = []
        for block in turn.blocks:
            if isinstance(block, ToolCall) and block.tool_use_id is None:
                block = ToolCall(block.name, block.input, f"tooluse_fake_{next(self._tool_ids):04d}")
            blocks.append(block)
        return blocks

    def stream_frames(self, turn: Turn) -> list[bytes]:
        """The event-stream frames answering ``converse-stream`` with ``turn``."""
        frames = [encode_event("messageStart", {"role": "assistant"})]
        for index, block in enumerate(self._resolved_blocks(turn)):
            if isinstance(block, TextBlock):
                # No contentBlockStart for text: botocore models ContentBlockStart as a tagged union and
                # rejects ``"start": {}`` ("must have one and only one member set"); real Bedrock omits it too.
                for piece in _split_words(block.text):
                    frames.append(
                        encode_event("contentBlockDelta", {"delta": {"text": piece}, "contentBlockIndex": index})
                    )
            else:
                start = {"toolUse": {"toolUseId": block.tool_use_id, "name": block.name}}
                frames.append(encode_event("contentBlockStart", {"start": start, "contentBlockIndex": index}))
                for piece in _split_json(json.dumps(block.input)):
                    frames.append(
                        encode_event(
                            "contentBlockDelta",
                            {"delta": {"toolUse": {"input": piece}}, "contentBlockIndex": index},
                        )
                    )
            frames.append(encode_event("contentBlockStop", {"contentBlockIndex": index}))
        frames.append(encode_event("messageStop", {"stopReason": turn.stop_reason}))
        frames.append(encode_event("metadata", _metadata(turn)))
        return frames

    def converse_document(self, turn: Turn) -> dict[str, Any]:
        """The JSON document answering non-streaming ``converse`` with ``turn``."""
        content: list[dict[str, Any]] = []
        for block in self._resolved_blocks(turn):
            if isinstance(block, TextBlock):
                content.append({"text": block.text})
            else:
                content.append(
                    {"toolUse": {"toolUseId": block.tool_use_id, "name": block.name, "input": block.input}}
                )
        return {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": turn.stop_reason,
            **_metadata(turn),
        }


def _metadata(turn: Turn) -> dict[str, Any]:
    return {
        "usage": {
            "inputTokens": turn.input_tokens,
            "outputTokens": turn.output_tokens,
            "totalTokens": turn.input_tokens + turn.output_tokens,
        },
        "metrics": {"latencyMs": turn.latency_ms},
    }


def _last_user_text(body: Any) -> str | None:
    try:
        for message in reversed(body.get("messages", [])):
            if message.get("role") == "user":
                for block in message.get("content", []):
                    if "text" in block:
                        return block["text"]
                    if "toolResult" in block:
                        return f"<toolResult {block['toolResult'].get('toolUseId')}>"
    except AttributeError:
        pass
    return None


def _make_handler(fake: FakeBedrock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so no handler thread lingers on an idle keep-alive socket.
        protocol_version = "HTTP/1.0"
        server_version = "FakeBedrock/1.0"
        timeout = 10  # a stuck client cannot pin a handler thread forever

        def log_message(self, format: str, *args: Any) -> None:  # silence stderr logging
            pass

        def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amzn-RequestId", f"fake-{id(self):x}")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        def _send_error(self, status: int, code: str, message: str) -> None:
            body = json.dumps({"message": message}).encode("utf-8")
            self._send(status, body, "application/json", {"x-amzn-ErrorType": code})

        def _read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_POST(self) -> None:  # http.server naming
            raw_path = urlsplit(self.path).path
            raw = self._read_body()
            try:
                body: Any = json.loads(raw) if raw else {}
            except ValueError:
                body = None
            match = _ROUTE.match(raw_path)
            operation = match["operation"] if match else "unknown"
            model_id = unquote(match["model_id"]) if match else None
            number = fake._record(RecordedCall(operation, model_id, raw_path, dict(self.headers.items()), body))
            if match is None:
                self._send_error(404, "UnknownOperationException", f"FakeBedrock: no route for POST {raw_path}")
                return
            if not isinstance(body, dict):
                self._send_error(400, "ValidationException", "FakeBedrock: request body is not a JSON object")
                return
            try:
                turn = fake._next(body, number, operation)
            except ScriptExhausted as exc:
                self._send_error(500, "InternalServerException", str(exc))
                return
            except Exception as exc:  # a responder bug: make it readable in the test failure
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                self._send_error(500, "InternalServerException", f"FakeBedrock responder failed: {detail}")
                return
            if turn.http_error is not None:
                status, code, message = turn.http_error
                self._send_error(status, code, message)
                return
            if operation == "converse":
                document = json.dumps(fake.converse_document(turn)).encode("utf-8")
                self._send(200, document, "application/json")
            else:
                self._send(200, b"".join(fake.stream_frames(turn)), EVENTSTREAM_CONTENT_TYPE)

        def _not_found(self) -> None:
            self._read_body()
            raw_path = urlsplit(self.path).path
            fake._record(RecordedCall("unknown", None, raw_path, dict(self.headers.items()), None))
            self._send_error(404, "UnknownOperationException", f"FakeBedrock: no route for {self.command} {raw_path}")

        do_GET = do_PUT = do_DELETE = do_PATCH = _not_found

        def do_HEAD(self) -> None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


# --------------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------------

_UNSET_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_BEARER_TOKEN_BEDROCK",  # would switch botocore to bearer auth
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",  # would make botocore ignore AWS_ENDPOINT_URL_*
    "AWS_ENDPOINT_URL",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def bedrock_env(monkeypatch: Any, endpoint_url: str) -> None:
    """Point boto3's bedrock-runtime client at ``endpoint_url`` with dummy credentials.

    Call it BEFORE constructing ``BedrockModel`` (which creates its boto3 session and client eagerly).
    Besides the dummy keys/region/endpoint it disables IMDS, reads no ~/.aws files, removes proxies and
    sets ``AWS_MAX_ATTEMPTS=1`` so a 500 from the fake fails at once instead of retrying with back-off.
    """
    for name in _UNSET_VARS:
        monkeypatch.delenv(name, raising=False)
    values = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": endpoint_url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/nonexistent/ghostcart-tests/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/ghostcart-tests/aws-credentials",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
