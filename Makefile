# Two entry points: `make demo` and `make test`. Both set everything up from a fresh clone.
# `make demo` installs only the tool (requirements.lock); `make test`, `bench` and `lock` add the
# development set (requirements-dev.lock: tests, notebook, benchmarks, pip-tools).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
# extra pip-compile flags for `make lock`, e.g. LOCKFLAGS=--upgrade or LOCKFLAGS='-P rdflib'
LOCKFLAGS ?=
COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --no-emit-index-url \
	--no-emit-find-links --strip-extras $(LOCKFLAGS)

.PHONY: demo test install lock clean bench

# The install is silent pip work of a few minutes on a first run: say what is going on.
$(STAMP): requirements.lock pyproject.toml
	@echo "==> [1/4] creating the virtual environment in $(VENV)/"
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@# pip < 24 rejects the hashed lock (an extra of a locked package counts as unpinned)
	@echo "==> [2/4] upgrading pip"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pip==26.3'
	@echo "==> [3/4] installing the pinned dependencies from requirements.lock (spaCy and its English model, rdflib, pyoxigraph, ...; first run: a few minutes)"
	@$(PIP) --require-hashes -r requirements.lock
	@echo "==> [4/4] installing platform-kg itself (editable)"
	@$(PIP) --no-deps --no-build-isolation -e .
	@touch $(STAMP)
	@echo "==> installed: $(BIN)/kg"

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(PIP) --require-hashes -r requirements-dev.lock
	touch $(DEV_STAMP)

install: $(DEV_STAMP)

demo: $(STAMP)
	@echo "==> building the knowledge graph of data/ into out/ (graph.ttl, graph.html)"
	$(BIN)/kg build data/ -o out/

test: $(DEV_STAMP)
	$(BIN)/python -m pytest -q

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/run_all.py

# Regenerate both hashed locks (needs the package registry). Existing pins are kept unless LOCKFLAGS
# says otherwise; the dev lock is constrained by the runtime one, so the two never disagree.
lock: $(DEV_STAMP)
	$(COMPILE) -o requirements.lock requirements.in
	$(COMPILE) -o requirements-dev.lock requirements-dev.in

clean:
	rm -rf $(VENV) out build *.egg-info
