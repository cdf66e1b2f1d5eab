"""Pairing parameters with gradients: one array, a list of arrays or a dict of arrays.

``pair(params, grads)`` returns the structure's kind and one ``(key, param, grad)`` triple per
array, after checking everything a step needs (types, dtypes, shapes), so a step that raises has
changed nothing. Keys are dict keys, list positions, or ``ARRAY`` for one bare array.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


class _ArrayKey:
    """The type of ``ARRAY``: one object, which copies and pickles as itself."""

    def __repr__(self) -> str:
        return "ARRAY"

    def __reduce__(self) -> str:
        return "ARRAY"          # the module attribute: copy.deepcopy and pickle keep the singleton


#: The key of the single parameter when ``params`` is one bare array.
ARRAY = _ArrayKey()

#: What ``pair`` returns for each array: its key, the parameter and its gradient (same dtype).
Triple = tuple[Any, np.ndarray, np.ndarray]


def kind_of(params: Any) -> str:
    """``"array"``, ``"list"`` or ``"dict"``; ``ValueError`` for anything else."""
    if isinstance(params, np.ndarray):
        return "array"
    if isinstance(params, Mapping):
        return "dict"
    if isinstance(params, Sequence) and not isinstance(params, str):
        return "list"
    raise ValueError(
        f"params must be a float array, a list or a dict of them, got {type(params).__name__}")


def label(key: Any, what: str = "params") -> str:
    """How an error message names one array: ``params``, ``params[0]`` or ``params['w']``."""
    return what if key is ARRAY else f"{what}[{key!r}]"


def pair(params: Any, grads: Any) -> tuple[str, list[Triple]]:
    """The kind of ``params`` and its ``(key, param, grad)`` triples, or ``ValueError``."""
    kind = kind_of(params)
    if kind == "array":
        if isinstance(grads, Mapping) or (isinstance(grads, list | tuple)
                                          and any(isinstance(x, np.ndarray) for x in grads)):
            raise ValueError(f"grads must be an array like params, got {type(grads).__name__}")
        triples = [(ARRAY, params, grads)]
    elif kind == "dict":
        if not isinstance(grads, Mapping):
            raise ValueError(f"grads must be a dict like params, got {type(grads).__name__}")
        if grads.keys() != params.keys():
            raise ValueError(f"grads keys {sorted(map(repr, grads))} differ from params keys "
                             f"{sorted(map(repr, params))}")
        triples = [(k, params[k], grads[k]) for k in params]
    else:
        if not isinstance(grads, Sequence) or isinstance(grads, str):
            raise ValueError(f"grads must be a list like params, got {type(grads).__name__}")
        if len(params) != len(grads):
            raise ValueError(f"grads has {len(grads)} arrays but params has {len(params)}")
        triples = [(i, params[i], grads[i]) for i in range(len(params))]
    return kind, [checked(key, p, g) for key, p, g in triples]


def checked(key: Any, p: Any, g: Any) -> Triple:
    """``(key, p, g)`` with ``g`` an array of ``p``'s dtype, or ``ValueError`` naming the key."""
    if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
        got = type(p).__name__ + (f" of {p.dtype}" if hasattr(p, "dtype") else "")
        raise ValueError(f"{label(key)} must be a float ndarray (updated in place), got {got}")
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.shape != p.shape:
        raise ValueError(f"{label(key, 'grads')} has shape {g.shape} but {label(key)} has shape "
                         f"{p.shape}")
    if g.dtype != p.dtype:
        g = g.astype(p.dtype)
    return key, p, g
