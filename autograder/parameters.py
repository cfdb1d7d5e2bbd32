"""Papermill-style parameters for nbgrader's autograde: a preprocessor that sets them before execution.

nbgrader runs a lab with its defaults (`FAST = False`); a course can ask for other values (the demo
grades in FAST mode) and the graded notebook then shows them in a cell tagged `injected-parameters`,
right after the lab's `parameters` cell, as papermill does.
"""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_code_cell
from traitlets import Bool, Dict

def inject(nb, parameters: dict):
    """The notebook with a cell assigning `parameters` right after its `parameters` cell (if any)."""
    if not parameters:
        return nb
    index = next((i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if index is None:
        return nb
    source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    nb.cells.insert(index + 1, new_code_cell(source, metadata={"tags": ["injected-parameters"]}))
    return nb


class InjectParameters(Preprocessor):
    """Inserts the configured parameters after the lab's `parameters` cell."""

    parameters = Dict({}, help="name -> value assigned before the lab runs").tag(config=True)
    enabled = Bool(True).tag(config=True)  # nbconvert preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        return inject(nb, dict(self.parameters)), resources


def autograde_settings(parameters: dict) -> dict:
    """nbgrader settings that run `InjectParameters` first in autograde (none if no parameters)."""
    if not parameters:
        return {}
    from nbgrader.converters import Autograde

    # nbgrader's own chain, named by import path so that the written nbgrader_config.py can hold it.
    chain = [f"{c.__module__}.{c.__qualname__}" for c in Autograde.class_traits()["autograde_preprocessors"].default()]
    return {
        "Autograde": {"autograde_preprocessors": ["autograder.parameters.InjectParameters", *chain]},
        "InjectParameters": {"parameters": dict(parameters)},
    }
