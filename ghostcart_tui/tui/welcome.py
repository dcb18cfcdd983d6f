"""The welcome text at the top of the chat: what GhostCart does and which model answers."""

from __future__ import annotations

from .safe import safe_str


def welcome_markdown(model_label: str | None, provider: str | None = None, reason: str | None = None) -> str:
    if model_label is None:
        model = "starting the agents…"
    else:
        model = f"**{safe_str(model_label, newlines=False)}**"
        if provider == "bedrock":
            model += " on Amazon Bedrock"
        if reason:
            model += f" ({safe_str(reason, newlines=False)})"
    return (
        "## Welcome to GhostCart\n\n"
        "Your shopping assistant in the terminal. I can:\n\n"
        "- **find products**: *find me a coffee maker under $90*\n"
        "- **buy now**: you sign the cart with a key press, nothing is paid without it\n"
        "- **buy later**: *buy AirPods if they drop below $180* becomes a signed intent that I watch "
        "and buy by itself, exactly once, when every limit holds\n"
        "- **show** your orders and the signed AP2 mandates behind each one\n\n"
        f"Model: {model}\n\n"
        "*F1–F4 switch tabs · Ctrl+P commands · Esc cancels a running turn*"
    )
