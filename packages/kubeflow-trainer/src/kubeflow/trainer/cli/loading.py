"""`train FILE:FUNCTION --arg k=v --env K=V`: load the function from its file and check the arguments against it.

The file is imported as a module by its path (no shell, no `python FILE`): its top-level code runs, its
`if __name__ == "__main__":` block does not. Its directory is put first on `sys.path` while it loads, as `python FILE`
would, so it can import its neighbours.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
import sys
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kubeflow.core.errors import InvalidInputError

TARGET = "FILE:FUNCTION"


def split_target(target: str) -> tuple[Path, str]:
    """`"train.py:main"` -> `(Path("train.py"), "main")`.

    Raises:
        InvalidInputError: The target is not `FILE:FUNCTION`, or the file is not a readable Python file.
    """
    path_text, sep, func_name = target.rpartition(":")
    if not sep or not path_text or not func_name:
        raise InvalidInputError(
            TARGET, f"{target!r} names no function.", "Write the file and the function, e.g. train.py:main."
        )
    if not func_name.isidentifier():
        raise InvalidInputError(TARGET, f"{func_name!r} is not a Python function name.", "E.g. train.py:main.")
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise InvalidInputError(TARGET, f"{path_text!r} is not a file.", "Give the path of a Python file.")
    if path.suffix != ".py":
        raise InvalidInputError(TARGET, f"{path_text!r} is not a .py file.", "Give the path of a Python file.")
    return path, func_name


def load_function(target: str) -> Callable[..., Any]:
    """Import the file of `FILE:FUNCTION` by path and return the function.

    Raises:
        InvalidInputError: The file cannot be imported, or has no such function.
    """
    path, func_name = split_target(target)
    resolved = path.resolve()
    module_name = "_kubeflow_cli_" + hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a loader
        raise InvalidInputError(TARGET, f"cannot import {str(path)!r}.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses, pickle and friends look modules up by name
    sys.path.insert(0, str(resolved.parent))
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        sys.modules.pop(module_name, None)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise InvalidInputError(
            TARGET,
            f"importing {str(path)!r} raised {type(exc).__name__}: {exc}",
            "Fix the file so that it imports (its top-level code runs; its __main__ block does not).",
        ) from exc
    finally:
        try:
            sys.path.remove(str(resolved.parent))
        except ValueError:
            pass
    func = getattr(module, func_name, None)
    if func is None:
        functions = sorted(name for name, value in vars(module).items() if inspect.isfunction(value))
        raise InvalidInputError(
            TARGET,
            f"{str(path)!r} has no function {func_name!r}.",
            f"Choose one of: {', '.join(functions)}." if functions else "Define it in the file.",
        )
    if not inspect.isfunction(inspect.unwrap(func)):
        raise InvalidInputError(TARGET, f"{func_name!r} in {str(path)!r} is not a function.", "Name a `def`.")
    return typing.cast(Callable[..., Any], func)


def module_globals_used(func: Callable[..., Any]) -> list[str]:
    """Names `func` reads from the top level of its file (imports, constants, other functions).

    Only the function's own source travels to the job, so each of these is a `NameError` there; the fix is to
    import or define it inside the function. Names the job's script defines anyway (builtins) are not reported.
    """
    import builtins
    import symtable
    import textwrap

    try:
        source = textwrap.dedent(inspect.getsource(inspect.unwrap(func)))
        table = symtable.symtable(source, "<function>", "exec")
    except (OSError, TypeError, SyntaxError):
        return []
    module_vars = getattr(inspect.getmodule(func), "__dict__", {})
    found: set[str] = set()

    def visit(scope: symtable.SymbolTable) -> None:
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if (
                symbol.is_referenced()
                and symbol.is_global()
                and not symbol.is_assigned()
                and name in module_vars
                and not hasattr(builtins, name)
                and not name.startswith("__")
            ):
                found.add(name)
        for child in scope.get_children():
            visit(child)

    for child in table.get_children():
        visit(child)
    return sorted(found)


def parse_pairs(values: Sequence[str], option: str) -> list[tuple[str, str]]:
    """`["a=1", "b=x=y"]` -> `[("a", "1"), ("b", "x=y")]`.

    Raises:
        InvalidInputError: A value has no `=` or an empty key.
    """
    pairs = []
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError(option, f"{value!r} is not KEY=VALUE.", f"Write {option} name=value.")
        pairs.append((key.strip(), text))
    return pairs


def parse_env(values: Sequence[str]) -> dict[str, str] | None:
    """`--env K=V` values as a dict (values are kept as written)."""
    env = dict(parse_pairs(values, "--env"))
    for key in env:
        if "\x00" in key or " " in key:
            raise InvalidInputError("--env", f"{key!r} is not a valid environment variable name.")
    return env or None


def _annotations(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func)
    except Exception:  # annotations naming things only the job imports: check names and count only
        return {}


def parse_args(func: Callable[..., Any], values: Sequence[str]) -> dict[str, Any]:
    """`--arg k=v` values as keyword arguments for `func`, checked against its signature.

    A value is parsed as JSON where it is valid JSON (`3`, `0.1`, `true`, `[1, 2]`, `{"a": 1}`, `null`), and kept
    as a string otherwise, or when the parameter is annotated `str`. Annotated parameters are validated against
    their annotation. Every required parameter must be given; unknown names are refused unless `func` takes
    `**kwargs`.

    Raises:
        InvalidInputError: Naming the offending `--arg` and what the function expects.
    """
    signature = inspect.signature(func)
    params = signature.parameters
    hints = _annotations(func)
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    named = {
        name: p
        for name, p in params.items()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    expected = ", ".join(f"{name}{'' if p.default is inspect.Parameter.empty else '=…'}" for name, p in named.items())
    kwargs: dict[str, Any] = {}
    for key, text in parse_pairs(values, "--arg"):
        if not key.isidentifier():
            raise InvalidInputError(f"--arg {key}", "is not a valid parameter name.", f"{func.__name__}({expected}).")
        if key not in named and not takes_any:
            raise InvalidInputError(
                f"--arg {key}",
                f"{func.__name__}() has no parameter {key!r}.",
                f"Its parameters are: {expected or '(none)'}.",
            )
        hint = hints.get(key)
        kwargs[key] = _value(key, text, hint)
    missing = [name for name, p in named.items() if p.default is inspect.Parameter.empty and name not in kwargs]
    if missing:
        raise InvalidInputError(
            f"--arg {missing[0]}",
            f"{func.__name__}() needs {', '.join(missing)}, which was not given.",
            " ".join(f"--arg {name}=VALUE" for name in missing) + ".",
        )
    return kwargs


def _value(key: str, text: str, hint: Any) -> Any:
    if hint is str:
        return text
    try:
        value: Any = json.loads(text)
    except ValueError:
        value = text
    if hint is None or hint is Any:
        return value
    from pydantic import TypeAdapter, ValidationError

    try:
        adapter: TypeAdapter[Any] = TypeAdapter(hint)
    except Exception:  # an annotation pydantic cannot check (a user class, a forward reference): pass the value on
        return value
    try:
        adapter.validate_python(value)
    except ValidationError as exc:
        problem = exc.errors(include_url=False)[0]["msg"]
        raise InvalidInputError(
            f"--arg {key}",
            f"{text!r} does not fit the parameter's type {_type_name(hint)} ({problem}).",
            f"Pass a value of type {_type_name(hint)} (JSON for numbers, lists and dicts).",
        ) from None
    return value


def _type_name(hint: Any) -> str:
    return hint.__name__ if isinstance(hint, type) else str(hint).replace("typing.", "")
