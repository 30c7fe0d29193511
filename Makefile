# Two commands for a newcomer: `make serve` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PLUGINS := $(wildcard plugins/*/pyproject.toml)
HOST ?= 127.0.0.1
PORT ?= 8080

# The screens (web/): built with Node.js >= 20, only when their sources changed.
NODE_OK := $(shell node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' >/dev/null 2>&1 && echo yes)
WEB_SOURCES := $(shell find web/src web/index.html web/register web/graphiql -type f 2>/dev/null) \
	web/package.json web/vite.config.ts web/codegen.ts web/tsconfig.json schema/schema.graphql

.PHONY: install web serve test schema migrations plugins-check bench bench-fanout bench-instructions bench-scale clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The example plugins are not installed here: they would change the schema and
# the rules of the core (make test runs their tests from source; see plugins-check).
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web/dist/.built: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build
	touch $@

web:
ifeq ($(NODE_OK),yes)
	@$(MAKE) --no-print-directory web/dist/.built
else
	@echo "web: Node.js 20 or newer is not installed, so only the API is served; install it (https://nodejs.org) and run make serve again for the screens."
endif

serve: install web
	$(BIN)/pairgate migrate
	$(BIN)/pairgate demo
	@echo "pairgate: the back office on http://$(HOST):$(PORT)/, the register app on http://$(HOST):$(PORT)/register"
	$(BIN)/pairgate serve --host $(HOST) --port $(PORT)

# The browser tests (tests/browser/) need web/dist: built first when Node.js is there.
test: install web
	$(BIN)/pytest

schema: install
	$(BIN)/pairgate export-schema > schema/schema.graphql

# Benchmarks (bench/README.md): wrk from Debian; PostgreSQL when it answers, else SQLite.
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || (echo "bench: install wrk" && false)
	$(BIN)/python bench/run.py
	BENCH_WORKERS=2 $(BIN)/python bench/run.py
	$(BIN)/python bench/fanout.py

# One live event delivered to 1, 100 and 1,000 WebSocket subscribers of one gateway process.
bench-fanout: install
	$(BIN)/python bench/fanout.py

# CPU instructions per request under valgrind: steady where req/s is not (bench/README.md).
bench-instructions: install
	@command -v valgrind >/dev/null || (apt-get update -qq && apt-get install -y -qq valgrind) || (echo "bench: install valgrind" && false)
	$(BIN)/python bench/instructions.py

bench-scale: install
	$(BIN)/python bench/scale.py

# After changing gateway/models.py: write the next migration (NAME=what_changed).
migrations: install
	$(BIN)/python -c 'import json; from gateway import db, settings; print(json.dumps(db.tortoise_config(settings.Settings.from_env({}, database_url="sqlite://:memory:", secret_key="x" * 32))))' > $(VENV)/tortoise.json
	$(BIN)/tortoise --config-file $(VENV)/tortoise.json makemigrations $(if $(NAME),-n $(NAME))

# Install core and every example plugin with pip install -e, as a plugin user
# would, in a throwaway venv; then the plugins' tests and the exported schema.
plugins-check:
	rm -rf .venv-plugins
	$(PYTHON) -m venv .venv-plugins
	.venv-plugins/bin/pip install --quiet -e '.[test]' $(foreach p,$(PLUGINS),-e $(dir $(p)))
	.venv-plugins/bin/python -c 'from gateway.plugins import get_plugin_manager as g; names = {n for n, _ in g().list_name_plugin()}; missing = {"kitchen-display", "pin-blocklist", "price-override", "webhook"} - names; assert not missing, missing; print("entry points loaded:", sorted(n for n in names if "." not in n))'
	.venv-plugins/bin/pairgate export-schema | grep KITCHEN_DISPLAY >/dev/null
	.venv-plugins/bin/pairgate export-schema | grep PRICE_OVERRIDE >/dev/null
	.venv-plugins/bin/python -m pytest -q --noconftest -p no:cacheprovider plugins

clean:
	rm -rf $(VENV) .venv-plugins .pytest_cache web/node_modules web/dist
