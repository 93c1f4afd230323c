"""The one schema: settings, exercise facts and the daemon's start-up data, as frozen
stdlib dataclasses.

Every part of deskguard speaks these types. pydantic validates files and the environment
*into* them (deskguard.settings, deskguard.catalog: the CLI and the daemon's config
child), and the daemon, which never imports pydantic, rebuilds them from the child's JSON
with `deskguard.model.plain.decode`. A new config key is one field in
`deskguard.model.settings` plus its documented line in config/deskguard.toml.

Field rules are annotations (`deskguard.model.fields`): plain markers that pydantic
applies when it validates and that cost nothing anywhere else.
"""
