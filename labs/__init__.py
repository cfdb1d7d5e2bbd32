"""Helpers imported by the lab notebooks: data from `datasets/`, plotting defaults, checks.

A notebook only ever needs::

    from labs import data, checks, plotting
"""
from . import checks, data, plotting

__all__ = ["checks", "data", "plotting"]
