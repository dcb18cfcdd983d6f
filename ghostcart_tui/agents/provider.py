"""Which model drives the agents: the built-in offline rules, or Bedrock.

auto picks Bedrock only when boto3 resolves credentials, so a machine without AWS set up still
works (offline) and says why. Credentials, region and AWS_ENDPOINT_URL_BEDROCK_RUNTIME follow
boto3's standard chain; nothing here reads secrets itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.settings import Settings

OFFLINE_LABEL = "offline (built-in rules)"


@dataclass(frozen=True)
class ProviderChoice:
    provider: str  # offline | bedrock
    label: str
    reason: str


def aws_credentials_available() -> bool:
    try:
        import boto3

        return boto3.Session().get_credentials() is not None
    except Exception:  # a broken ~/.aws file is "no credentials", not a crash
        return False


def choose(settings: Settings, requested: str | None = None) -> ProviderChoice:
    want = (requested or settings.model_provider or "auto").lower()
    if want == "offline":
        return ProviderChoice("offline", OFFLINE_LABEL, "offline model requested")
    if want == "bedrock":
        return ProviderChoice("bedrock", settings.aws_bedrock_model_id, "Bedrock requested")
    if want != "auto":
        raise ValueError(f"unknown model provider {requested!r}; use offline, bedrock or auto")
    if aws_credentials_available():
        return ProviderChoice("bedrock", settings.aws_bedrock_model_id, "auto: AWS credentials found")
    return ProviderChoice("offline", OFFLINE_LABEL, "auto: no AWS credentials found")


def build_model(choice: ProviderChoice, settings: Settings) -> Any:
    """A fresh strands Model (one per agent: models hold no conversation, but keep configs apart)."""
    if choice.provider == "offline":
        from .offline.model import OfflineModel

        return OfflineModel()
    from strands.models import BedrockModel

    return BedrockModel(model_id=settings.aws_bedrock_model_id, region_name=settings.aws_region,
                        streaming=True)
