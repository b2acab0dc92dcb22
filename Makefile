# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test test-fast install install-locked lock lint clean

$(BIN)/hopper: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/hopper

## Install exactly the versions in requirements.lock (hashes checked), then Hopper itself.
## For CI and reproducible deployments; `make install` resolves from pyproject.toml instead.
install-locked:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/hopper

## Regenerate requirements.lock after changing dependencies in pyproject.toml (needs uv).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --universal \
		--generate-hashes -o requirements.lock

## Upgrade the schema, then run web + worker + beat (+ the embedded Redis when REDIS_URL is
## unset) on 127.0.0.1:5000 (`hopper up` does both).
run: install
	exec $(BIN)/hopper up

## Static checks: ruff, the import contracts (pyproject.toml), mypy (docs/development.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## Run the test suite (on SQLite + embedded Redis unless DATABASE_URL / REDIS_URL say otherwise).
test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

## The unit loop: no browser, no real processes (tests marked `browser` or `slow`).
test-fast: install
	$(BIN)/pytest -m "not browser and not slow" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
