"""Shipping a user's training function to a job, with no shell anywhere on the way.

Both backends call `render_entrypoint`: it returns the text of a Python script that defines the function from its
own source and calls it with `func_args` as keyword arguments. Arguments travel as a JSON string literal inside the
script (or, for values JSON cannot hold, as a base64 pickle), so nothing in the user's source or arguments is ever
seen by a shell: `$HOME`, backticks and quotes stay exactly as written.
"""

from __future__ import annotations

import ast
import base64
import difflib
import inspect
import json
import pickle
import textwrap
from collections.abc import Callable, Mapping
from typing import Any

from kubeflow.core.errors import InvalidInputError

FIELD = "trainer.func"


def function_source(func: Callable[..., Any]) -> tuple[str, str]:
    """Return `(source, name)` of a plain `def` function, without decorators.

    Raises:
        InvalidInputError: The function cannot be shipped: a lambda, a builtin, a function whose source cannot be
            read (typed at a bare REPL), or one that uses variables of an enclosing function.
    """
    func = inspect.unwrap(func)  # a decorated function ships as the function it wraps
    name = getattr(func, "__name__", None)
    code = getattr(func, "__code__", None)
    if not inspect.isfunction(func) or code is None or name is None:
        raise InvalidInputError(
            FIELD, f"{func!r} is not a Python function defined with `def`.", "Pass a function defined with `def`."
        )
    if name == "<lambda>":
        raise InvalidInputError(
            FIELD, "a lambda cannot be shipped to a job.", "Define the training function with `def` and pass it."
        )
    if code.co_freevars:
        raise InvalidInputError(
            FIELD,
            f"{name}() uses variables of its enclosing scope ({', '.join(code.co_freevars)}), which do not travel.",
            "Pass those values through func_args, or define the function at module level.",
        )
    try:
        raw = inspect.getsource(func)
    except (OSError, TypeError) as exc:
        raise InvalidInputError(
            FIELD,
            f"the source of {name}() cannot be read ({exc}); functions typed at a bare Python prompt have none.",
            "Define it in a file, a notebook cell or IPython, or use CustomTrainerContainer.",
        ) from None
    source = textwrap.dedent(raw)
    tree = ast.parse(source)
    node = tree.body[0] if tree.body else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name != name:
        raise InvalidInputError(FIELD, f"could not isolate the definition of {name}() in its source.")
    if isinstance(node, ast.AsyncFunctionDef):
        raise InvalidInputError(FIELD, f"{name}() is a coroutine function.", "Use a plain `def` function.")
    lines = source.splitlines()
    body = "\n".join(lines[node.lineno - 1 :])  # drop decorator lines: they may not exist in the job
    return body + "\n", name


def encode_args(func_args: Mapping[str, Any] | None) -> tuple[str, str]:
    """Encode keyword arguments as `("json", text)` or, if JSON cannot hold them, `("pickle", base64)`.

    Raises:
        InvalidInputError: Keys are not strings, or the values can be neither JSON-encoded nor pickled.
    """
    kwargs = dict(func_args or {})
    bad = [key for key in kwargs if not isinstance(key, str) or not key.isidentifier()]
    if bad:
        raise InvalidInputError(
            "trainer.func_args", f"keys {bad!r} are not valid keyword-argument names.", "Use identifiers as keys."
        )
    try:
        text = json.dumps(kwargs, allow_nan=True)
        if json.loads(text) == kwargs:
            return "json", text
    except (TypeError, ValueError):
        pass
    try:
        return "pickle", base64.b64encode(pickle.dumps(kwargs, protocol=4)).decode("ascii")
    except Exception as exc:  # pickling can raise nearly anything
        raise InvalidInputError(
            "trainer.func_args",
            f"the arguments can be neither JSON-encoded nor pickled ({exc}).",
            "Pass plain values: numbers, strings, lists, dicts.",
        ) from None


def check_func_args(func: Callable[..., Any], func_args: Mapping[str, Any] | None) -> None:
    """Check that `func(**func_args)` binds to the function's signature, as the job will call it.

    Raises:
        InvalidInputError: (field `trainer.func_args`) an argument the function does not take (with the closest
            parameter name), or a required parameter that `func_args` does not give.
    """
    target = inspect.unwrap(func)
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):  # no signature to check against (e.g. some builtins); shipping refuses those
        return
    kwargs = dict(func_args or {})
    try:
        signature.bind(**kwargs)
        return
    except TypeError:
        pass
    name = getattr(target, "__name__", "the function")
    params = signature.parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    named = [p.name for p in params.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    unknown = [key for key in kwargs if not takes_any and key not in params]
    positional_only = [key for key in kwargs if key in params and params[key].kind is inspect.Parameter.POSITIONAL_ONLY]
    missing = [
        p.name
        for p in params.values()
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        and p.name not in kwargs
    ]
    field = "trainer.func_args"
    accepted = f"{name}{signature}"
    for key in unknown:
        close = difflib.get_close_matches(key, named, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise InvalidInputError(
            field,
            f"{key!r} is not a parameter of {accepted}.{hint}",
            f"Pass only the parameters {name}() takes: {named or 'none'}.",
        )
    for key in positional_only:
        raise InvalidInputError(
            field,
            f"{key!r} is a positional-only parameter of {accepted}; the job passes func_args as keyword arguments.",
            f"Make {key!r} a regular parameter (remove the `/`).",
        )
    if missing:
        raise InvalidInputError(
            field,
            f"{name}() requires the parameter{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}, "
            f"which func_args does not give (signature: {accepted}).",
            f"Add {', '.join(map(repr, missing))} to func_args, or give the parameter a default value.",
        )
    raise InvalidInputError(field, f"the arguments {sorted(kwargs)} do not match {accepted}.")


_LINE_WRITES = """\
import sys as _kf_sys
for _kf_stream in (_kf_sys.stdout, _kf_sys.stderr):  # one write per line: processes sharing a log never split lines
    if hasattr(_kf_stream, "reconfigure"):
        _kf_stream.reconfigure(line_buffering=True, write_through=False)
"""


def render_entrypoint(func: Callable[..., Any], func_args: Mapping[str, Any] | None) -> str:
    """Return the text of a Python script that defines `func` and calls it with `func_args` as keyword arguments.

    Raises:
        InvalidInputError: The function cannot be shipped, or `func_args` does not match its signature.
    """
    source, name = function_source(func)
    check_func_args(func, func_args)
    kind, payload = encode_args(func_args)
    if kind == "json":
        loader = f"import json as _kf_json\n_kf_kwargs = _kf_json.loads({payload!r})\n"
    else:
        loader = (
            "import base64 as _kf_b64, pickle as _kf_pickle\n"
            f"_kf_kwargs = _kf_pickle.loads(_kf_b64.b64decode({payload!r}))\n"
        )
    return (
        "# Generated by the Kubeflow SDK: the user's training function, then its call.\n"
        "from __future__ import annotations  # annotations may name things only the caller imported\n\n"
        f"{source}\n\n"
        'if __name__ == "__main__":\n' + textwrap.indent(_LINE_WRITES + loader, "    ") + f"    {name}(**_kf_kwargs)\n"
    )
