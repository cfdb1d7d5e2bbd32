# labkit: `make demo` and `make test` set themselves up (a .venv from pyproject.toml + constraints.txt).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.labkit-installed

.PHONY: setup sandbox demo test test-fast doctor lock clean

setup: $(STAMP) sandbox

# bubblewrap (the grading sandbox): installed when missing and this machine allows it (root and apt);
# elsewhere labkit grades without it and `labkit doctor` says which protections are missing.
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -q bubblewrap >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q bubblewrap >/dev/null 2>&1; } \
	      || echo "bubblewrap non installé : correction sans bac à sable (voir labkit doctor)"; \
	  else echo "bubblewrap absent : sudo apt-get install bubblewrap (voir README, bac à sable)"; fi; }

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
