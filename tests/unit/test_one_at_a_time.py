"""Requests on one key run one after another; other keys are not held up; no key is kept."""

from __future__ import annotations

import asyncio

from api.one_at_a_time import OneAtATime


async def test_holders_of_one_key_take_turns_and_other_keys_run_alongside() -> None:
    serial = OneAtATime()
    inside: dict[str, int] = {"a": 0, "b": 0}
    most: dict[str, int] = {"a": 0, "b": 0}

    async def use(key: str) -> None:
        async with serial.hold(key):
            inside[key] += 1
            most[key] = max(most[key], inside[key])
            await asyncio.sleep(0.01)
            inside[key] -= 1

    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(use(key) for key in "aaaaabbbbb"))
    took = asyncio.get_running_loop().time() - started

    assert most == {"a": 1, "b": 1}
    assert took < 0.09  # the two keys' turns overlapped: ten turns one by one take 0.1 s
    assert len(serial) == 0


async def test_a_holder_that_fails_lets_the_next_one_in() -> None:
    serial = OneAtATime()

    async def fail() -> None:
        async with serial.hold("k"):
            raise RuntimeError("refused")

    results = await asyncio.gather(fail(), fail(), return_exceptions=True)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    assert len(serial) == 0
