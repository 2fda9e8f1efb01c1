# vi-ext — every target sets itself up: nothing is assumed beyond Python 3.11, pip, venv, make, gcc.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
PORT ?= 8765
DATA ?= .vi-data
URL ?=
KEY ?=
ORG ?=

.PHONY: setup generate check-generated lint test test-all contract compat demo bench bench-quick serve docs dist clean

PACKAGES := packages/vi-ext packages/vi-ext-server packages/vi-ext-compat

setup: $(STAMP)

# All three distributions, editable, plus the development tools (one pin file: requirements/constraints.txt).
$(STAMP): $(addsuffix /pyproject.toml,$(PACKAGES)) requirements/dev.txt requirements/constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -r requirements/dev.txt \
		-e 'packages/vi-ext[docs,dask]' -e 'packages/vi-ext-server[postgres,s3]' -e packages/vi-ext-compat
	@touch $(STAMP)

generate: setup
	$(PY) -m tools.generate

check-generated: setup
	$(PY) -m tools.generate --check

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The contract quick run goes first so the last line of `make test` is pytest's summary. Both run on every
# selected server backend: $VI_TEST_BACKENDS (e.g. `make test VI_TEST_BACKENDS=sqlite-local`), default
# sqlite-local and postgres-s3; a backend whose PostgreSQL/S3 cannot start here is skipped with the reason.
test: setup check-generated lint
	$(PY) -m tools.contract --quick
	$(VENV)/bin/pytest -m "not slow" -q

test-all: setup check-generated lint
	$(PY) -m tools.contract
	$(VENV)/bin/pytest -q

# make contract [URL=… KEY=… ORG=…]: all checks, all phases, 100 examples per operation.
contract: setup
	$(PY) -m tools.contract $(if $(URL),--url $(URL) --key $(KEY) --org $(ORG))

compat: setup
	$(PY) -m tools.compat

demo: setup
	$(PY) -m tools.demo

bench: setup
	$(PY) -m bench.run

bench-quick: setup
	$(PY) -m bench.run --quick

# The user guide and the API reference (from docstrings) into build/site.
docs: setup
	$(VENV)/bin/mkdocs build --strict --site-dir build/site

# The three wheels (each with its LICENSE) into dist/.
dist: setup
	rm -rf dist
	for p in $(PACKAGES); do \
		$(PY) -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation -w dist $$p || exit 1; \
	done
	@ls dist

serve: setup
	$(VENV)/bin/vi-ext serve --data-dir $(DATA) --host 127.0.0.1 --port $(PORT)

clean:
	rm -rf $(VENV) .compat-venv build dist packages/*/build packages/*/src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis .schemathesis
