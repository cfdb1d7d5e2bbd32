"""Plotting defaults shared by the labs, so that every evidence figure reads the same in a report."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt

PALETTE = ["#1f4e79", "#c0504d", "#9bbb59", "#f79646", "#8064a2", "#4bacc6"]


def setup() -> None:
    """Apply the kit's figure style: readable sizes, French-friendly number format, fixed palette."""
    plt.rcParams.update(
        {
            "figure.figsize": (9, 4.5),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
            "axes.formatter.use_locale": False,
            "font.size": 10,
        }
    )
