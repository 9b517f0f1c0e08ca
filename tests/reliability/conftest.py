from pathlib import Path

import pytest

from .embedded import EmbeddedStack, declare_the_broker_queue, embedded_env, manage


@pytest.fixture(scope="session")
def embedded_template(tmp_path_factory) -> Path:
    """An embedded VAR_DIR made as `make run` makes it, once per run (migrating takes longer than all the rest
    of a test): the database migrated, with the heartbeat and the outbox sweep every second, the static files
    collected, and the broker's queue declared. Each stack starts from a copy."""
    var_dir = tmp_path_factory.mktemp("embedded-template")
    env = embedded_env(var_dir)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    code = "from tests.reliability.embedded import speed_up_heartbeat_and_outbox as s; s()"
    manage(env, "shell", "-v", "0", "-c", code)
    declare_the_broker_queue(env)
    return var_dir


@pytest.fixture
def embedded_stack(tmp_path, embedded_template):
    """``embedded_stack(**settings)``: an embedded stack in this test's own VAR_DIR, not yet started; every
    one made is stopped, with all its processes, when the test ends."""
    stacks = []

    def make(**settings: str) -> EmbeddedStack:
        stack = EmbeddedStack(tmp_path / f"var{len(stacks)}", template=embedded_template, **settings)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop()
