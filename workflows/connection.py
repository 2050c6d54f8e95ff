"""How every process reaches the engine: the API and the worker must share the namespace and the
data converter (pydantic's, so payloads carry pydantic models and Decimals)."""

from __future__ import annotations

from typing import Protocol

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter


class EngineSettings(Protocol):
    TEMPORAL_ADDRESS: str
    TEMPORAL_NAMESPACE: str


async def connect_temporal(settings: EngineSettings) -> Client:
    """A client on the configured namespace with the product's data converter."""
    return await Client.connect(
        settings.TEMPORAL_ADDRESS,
        namespace=settings.TEMPORAL_NAMESPACE,
        data_converter=pydantic_data_converter,
    )
