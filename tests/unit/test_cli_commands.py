"""The command table of the lazily loaded `deskguard` group matches what each module defines."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click

from deskguard.cli import COMMANDS, cli


def test_each_command_comes_from_the_module_the_table_names() -> None:
    registered: dict[str, str] = {}
    for module_name in set(COMMANDS.values()):
        group = click.Group()
        importlib.import_module(f"deskguard.cli.{module_name}").register(group)
        registered.update(dict.fromkeys(group.commands, module_name))
    assert registered == COMMANDS
    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None and command.name == name


def test_running_one_command_loads_only_its_module() -> None:
    probe = (
        "import sys, click; from deskguard.cli import cli; "
        "cli.get_command(click.Context(cli), 'run'); "
        "print(sorted(m for m in sys.modules if m.startswith('deskguard.cli.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    # `run` takes --config from the config module and the daemon's environment from
    # click_language; the other commands stay unloaded.
    assert loaded.strip() == (
        "['deskguard.cli.click_language', 'deskguard.cli.config', 'deskguard.cli.run']"
    )
