"""How every process reaches the engine: the API and the worker must share the namespace and the
data converter (pydantic's, so payloads carry pydantic models and Decimals)."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from temporalio.client import Client
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)


class _SharedAdapters(PydanticJSONPlainPayloadConverter):
    """Pydantic's validators for the payload types, built once per process: the SDK makes a
    payload converter for each workflow instance it runs (in its sandbox), so the converter's
    own cache started empty for each new quote and invoice and every payload type's schema was
    built again, some 4 % of a worker's CPU under load. A validator holds no state between
    calls; the first converter's cache serves every later one."""

    _shared: ClassVar[Any] = None

    def __init__(self) -> None:
        super().__init__()
        if _SharedAdapters._shared is None:
            _SharedAdapters._shared = self._type_adapter
        self._type_adapter = _SharedAdapters._shared


class PayloadConverter(CompositePayloadConverter):
    """Pydantic's JSON for payloads (models and Decimals), its validators shared process-wide."""

    def __init__(self) -> None:
        json = _SharedAdapters()
        super().__init__(
            *(
                json if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


DATA_CONVERTER = DataConverter(payload_converter_class=PayloadConverter)


class EngineSettings(Protocol):
    TEMPORAL_ADDRESS: str
    TEMPORAL_NAMESPACE: str


async def connect_temporal(settings: EngineSettings) -> Client:
    """A client on the configured namespace with the product's data converter."""
    return await Client.connect(
        settings.TEMPORAL_ADDRESS,
        namespace=settings.TEMPORAL_NAMESPACE,
        data_converter=DATA_CONVERTER,
    )
