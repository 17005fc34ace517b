"""Finding the ASGI app of a ``MODULE:ATTR`` string, the way uvicorn's command line does.

``--app-dir`` is put first on ``sys.path``; ``MODULE`` is imported and ``ATTR`` (dotted
attributes allowed) read from it; with ``factory`` the attribute is called without
arguments and its result is the app. A string that names no module or attribute raises
``AppLoadError`` (the command prints "Error loading ASGI app. ..." and exits 1); an
exception raised while the module itself runs propagates unchanged, with its traceback.

Threading: the main thread, before the server starts.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

__all__ = ["AppLoadError", "load_app"]


class AppLoadError(Exception):
    """The import string does not lead to an ASGI app."""


def load_app(target: str, *, app_dir: str | None = ".", factory: bool = False) -> Any:
    """The app ``target`` ("module:attribute") names; see the module docstring."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise AppLoadError(f'Import string "{target}" must be in format "<module>:<attribute>".')
    if app_dir is not None:
        sys.path.insert(0, app_dir)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if missing != module_name and not module_name.startswith(missing + "."):
            raise  # the module exists; something it imports does not
        raise AppLoadError(f'Could not import module "{module_name}".') from None
    app: Any = module
    for name in attribute.split("."):
        try:
            app = getattr(app, name)
        except AttributeError:
            raise AppLoadError(f'Attribute "{attribute}" not found in module "{module_name}".') from None
    if factory:
        if not callable(app):
            raise AppLoadError(f'"{target}" is not callable, so it cannot be an app factory.')
        app = app()
    if not callable(app):
        raise AppLoadError(f'"{target}" is a {type(app).__name__}, not an ASGI application'
                           + ("" if factory else " (is it a factory? then pass --factory)") + ".")
    return app
