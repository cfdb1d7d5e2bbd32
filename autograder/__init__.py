"""labkit's engine: from nbgrader source notebooks to competency evidence for a certification jury."""

__version__ = "0.1.0"
