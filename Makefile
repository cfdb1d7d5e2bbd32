# labkit: `make demo` and `make test` set themselves up (a .venv from pyproject.toml + constraints.txt).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.labkit-installed

.PHONY: setup demo test test-fast doctor lock clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .
	@touch $(STAMP)

demo: setup
	$(BIN)/labkit demo

test: setup
	$(BIN)/python -m pytest -q

test-fast: setup  ## engine only, without the papermill runs of the notebooks
	$(BIN)/python -m pytest -q -m "not notebooks"

doctor: setup
	$(BIN)/labkit doctor

lock: setup  ## refresh constraints.txt after changing pyproject.toml dependencies
	$(BIN)/python -m pip freeze --exclude-editable | sort > constraints.txt

clean:
	rm -rf out .pytest_cache
