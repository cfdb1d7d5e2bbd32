"""Assertions for the labs' test cells, with French messages that help without giving the answer.

Each helper raises AssertionError with a message that names the variable and what is wrong with
it (type, shape, a missing key, a value out of tolerance), never the expected value itself: the
hidden tests use the same helpers, and their messages reach the learner in the feedback.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def _fail(message: str) -> None:
    raise AssertionError(message)


def check_type(value, expected_type, name: str) -> None:
    """Fails unless `value` is an instance of `expected_type` (a type or a tuple of types)."""
    if not isinstance(value, expected_type):
        wanted = (
            " ou ".join(t.__name__ for t in expected_type)
            if isinstance(expected_type, tuple)
            else expected_type.__name__
        )
        _fail(f"`{name}` doit être de type {wanted}, pas {type(value).__name__}.")


def check_close(actual, expected, name: str, rel: float = 1e-6, abs_: float = 1e-9, hint: str = "") -> None:
    """Fails unless the number `actual` is within the tolerances of `expected` (never printed)."""
    try:
        number = float(actual)
    except (TypeError, ValueError):
        _fail(f"`{name}` doit être un nombre, pas {type(actual).__name__}.")
    if math.isnan(number):
        _fail(f"`{name}` vaut NaN : vérifiez les valeurs manquantes ou une division par zéro.")
    if not math.isclose(number, float(expected), rel_tol=rel, abs_tol=abs_):
        _fail(f"`{name}` n'a pas la bonne valeur. {hint}".strip())


def check_array_close(actual, expected, name: str, rel: float = 1e-6, abs_: float = 1e-9, hint: str = "") -> None:
    """Fails unless the array-like `actual` has the shape of `expected` and matches it element-wise."""
    got = np.asarray(actual, dtype=float)
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        _fail(f"`{name}` a la forme {got.shape} ; la forme attendue est {want.shape}.")
    if np.isnan(got).any():
        _fail(f"`{name}` contient des NaN : vérifiez les valeurs manquantes.")
    wrong = ~np.isclose(got, want, rtol=rel, atol=abs_)
    if wrong.any():
        _fail(f"`{name}` : {int(wrong.sum())} valeur(s) sur {wrong.size} sont incorrectes. {hint}".strip())


def check_columns(frame, columns: Iterable[str], name: str) -> None:
    """Fails unless the DataFrame `frame` has every column of `columns` (any order, extra allowed)."""
    missing = [c for c in columns if c not in getattr(frame, "columns", [])]
    if missing:
        _fail(f"`{name}` doit contenir les colonnes {', '.join(missing)}.")


def check_same_items(actual, expected, name: str, hint: str = "") -> None:
    """Fails unless `actual` holds the same items as `expected`, in any order."""
    try:
        got = sorted(actual)
    except TypeError:
        _fail(f"`{name}` doit être une collection d'éléments comparables (liste, ensemble...).")
    if got != sorted(expected):
        _fail(f"`{name}` ne contient pas les bons éléments. {hint}".strip())


def check_equal(actual, expected, name: str, hint: str = "") -> None:
    """Fails unless `actual` equals `expected` and has its exact type (numbers of any numeric type).

    The exact type check means an object whose `__eq__` always answers True cannot pass.
    """
    numbers = (int, float, np.number)
    if isinstance(actual, numbers) and isinstance(expected, numbers) and not isinstance(actual, bool):
        equal = float(actual) == float(expected)
    elif type(actual) is not type(expected):
        _fail(f"`{name}` doit être de type {type(expected).__name__}, pas {type(actual).__name__}.")
    else:
        equal = bool(expected == actual)
    if not equal:
        _fail(f"`{name}` n'a pas la bonne valeur. {hint}".strip())


def check_between(value, low: float, high: float, name: str, hint: str = "") -> None:
    """Fails unless `low <= value <= high`."""
    check_type(value, (int, float, np.number), name)
    if not low <= float(value) <= high:
        _fail(f"`{name}` est hors de l'intervalle attendu. {hint}".strip())
