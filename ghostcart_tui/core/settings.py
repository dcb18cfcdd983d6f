"""Settings from the environment and a .env file. Every variable is documented in .env.example."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_USER_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
DEFAULT_BEDROCK_MODEL = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    aws_region: str = Field("us-east-1", validation_alias="AWS_REGION")
    aws_bedrock_model_id: str = Field(
        DEFAULT_BEDROCK_MODEL, validation_alias="AWS_BEDROCK_MODEL_ID"
    )
    model_provider: Literal["auto", "offline", "bedrock"] = Field(
        "auto", validation_alias="GHOSTCART_MODEL"
    )
    data_home: Path = Field(
        default_factory=lambda: Path(user_data_dir("ghostcart", appauthor=False)),
        validation_alias="GHOSTCART_HOME",
    )
    db_file: Path | None = Field(None, validation_alias="GHOSTCART_DB")
    monitor_interval_minutes: int = Field(
        5, ge=1, le=1440, validation_alias="GHOSTCART_MONITOR_INTERVAL_MINUTES"
    )
    monitor_expiry_days: int = Field(
        7, ge=1, le=365, validation_alias="GHOSTCART_MONITOR_EXPIRY_DAYS"
    )
    processor: Literal["realistic", "approve_all"] = Field(
        "realistic", validation_alias="GHOSTCART_PROCESSOR"
    )
    fraud_threshold_cents: int = Field(
        80_000, ge=0, validation_alias="GHOSTCART_FRAUD_THRESHOLD_CENTS"
    )
    key_passphrase: str | None = Field(
        None, repr=False, validation_alias="GHOSTCART_KEY_PASSPHRASE"
    )
    key_storage: Literal["file", "keyring"] = Field("file", validation_alias="GHOSTCART_KEY_STORAGE")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    user_id: str = Field("user_demo", validation_alias="GHOSTCART_USER")
    seed: int | None = Field(None, validation_alias="GHOSTCART_SEED")

    @field_validator("user_id", mode="after")
    @classmethod
    def _user_id(cls, v: str) -> str:
        # It names the user's key file (keys/user-<id>.pem): nothing path-like.
        if not _USER_ID.fullmatch(v) or set(v) == {"."}:
            raise ValueError(f"invalid user id {v[:80]!r}: use 1-64 characters from A-Z a-z 0-9 _ . - "
                             "(not only dots)")
        return v

    @field_validator("data_home", mode="after")
    @classmethod
    def _expand_home(cls, v: Path) -> Path:
        return v.expanduser()

    @property
    def db_path(self) -> Path:
        return (self.db_file or self.data_home / "ghostcart.db").expanduser()

    @property
    def keys_dir(self) -> Path:
        return self.data_home / "keys"

    @property
    def log_path(self) -> Path:
        return self.data_home / "ghostcart.log"
