# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test install lint clean

$(BIN)/hopper: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/hopper

## Run web + worker + beat (+ the embedded Redis when REDIS_URL is unset) on 127.0.0.1:5000.
run: install
	$(BIN)/hopper db upgrade
	exec $(BIN)/hopper up

## Run the test suite (on SQLite + embedded Redis unless DATABASE_URL / REDIS_URL say otherwise).
test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
