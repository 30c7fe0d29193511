# Two commands for a newcomer: `make serve` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PLUGINS := $(wildcard plugins/*/pyproject.toml)

.PHONY: install serve test schema migrations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml $(PLUGINS)
	$(BIN)/pip install --quiet -e '.[test]' $(foreach p,$(PLUGINS),-e $(dir $(p)))
	touch $@

install: $(VENV)/.installed

serve: install
	$(BIN)/pairgate migrate
	$(BIN)/pairgate demo
	$(BIN)/pairgate serve --host 127.0.0.1 --port 8080

test: install
	$(BIN)/pytest

schema: install
	$(BIN)/pairgate export-schema > schema/schema.graphql

# After changing gateway/models.py: write the next migration (NAME=what_changed).
migrations: install
	$(BIN)/python -c 'import json; from gateway import db, settings; print(json.dumps(db.tortoise_config(settings.Settings.from_env({}, database_url="sqlite://:memory:", secret_key="x" * 32))))' > $(VENV)/tortoise.json
	$(BIN)/tortoise --config-file $(VENV)/tortoise.json makemigrations $(if $(NAME),-n $(NAME))

clean:
	rm -rf $(VENV) .pytest_cache
