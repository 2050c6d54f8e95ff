"""The product as a client meets it: real HTTP, real SMTP, a real headless Chromium."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import cast
from uuid import uuid4

import httpx
import pytest
import pytest_asyncio
import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from playwright.async_api import Browser, async_playwright
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from api.app import create_app
from api.serve import server_options
from settings import Settings
from tests.processes import free_port
from tests.temporal_fixtures import running_worker, terminate_open
from tests.workflows.conftest import Live

CHROMIUM = shutil.which("chromium")


@dataclass
class Inbox:
    """An aiosmtpd handler keeping every message; its server runs on its own thread."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        with self.lock:
            self.messages.append(cast(EmailMessage, message_from_bytes(raw, policy=policy.default)))
        return "250 OK"

    async def first(
        self, matches: Callable[[EmailMessage], bool], within: float = 20
    ) -> EmailMessage:
        """The first message that matches, waiting for it to arrive."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            with self.lock:
                found = [m for m in self.messages if matches(m)]
            if found:
                return found[0]
            if asyncio.get_running_loop().time() > deadline:
                subjects = [str(m["Subject"]) for m in self.messages]
                raise AssertionError(f"no such message within {within}s; got {subjects}")
            await asyncio.sleep(0.1)


@dataclass
class Served(Live):
    """`Live` over real HTTP at `base_url`, with the SMTP server's inbox."""

    base_url: str
    inbox: Inbox


class EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Ctrl-C stays with pytest; the fixture stops the server itself.
        yield


def _listening_socket() -> socket.socket:
    # Bound before the server starts, so its port is known to the settings and cannot be taken.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[str, Inbox]]:
    """A real SMTP server on loopback; yields its URL and the inbox it fills."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the module; each test opens its own context."""
    assert CHROMIUM is not None, "the browser tests are skipped without chromium"
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        await chromium.close()


@pytest.fixture
async def served(
    settings: Settings,
    db: sessionmaker[Session],
    temporal_client: Client,
    smtp_inbox: tuple[str, Inbox],
) -> AsyncIterator[Served]:
    """The app served by uvicorn in-process, mailing over SMTP, with a worker on its own queue."""
    smtp_url, inbox = smtp_inbox
    sock = _listening_socket()
    host, port = sock.getsockname()
    base_url = f"http://{host}:{port}"
    served_settings = settings.model_copy(
        update={
            "TEMPORAL_TASK_QUEUE": f"quotes-{uuid4()}",
            "SMTP_URL": smtp_url,
            "PUBLIC_BASE_URL": base_url,
        }
    )
    app = create_app(served_settings, temporal_client)
    # Configured as `python -m api.serve` configures it: the deadlines and limits included.
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", **server_options(settings)
    )
    server = EmbeddedServer(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if serving.done():
                serving.result()  # startup failed: raise its error here
            await asyncio.sleep(0.02)
        queue = served_settings.TEMPORAL_TASK_QUEUE
        async with running_worker(temporal_client, served_settings, queue):
            async with httpx.AsyncClient(base_url=base_url) as api:
                yield Served(api, temporal_client, served_settings, db, base_url, inbox)
            await terminate_open(temporal_client, queue)
    finally:
        server.should_exit = True
        await serving
        sock.close()
        app.state.engine.dispose()
