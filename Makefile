# Two entry points: `make demo` and `make test`. Both set everything up from a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lock clean bench

# The install is silent pip work of a few minutes on a first run: say what is going on.
$(STAMP): requirements.lock pyproject.toml
	@echo "==> [1/4] creating the virtual environment in $(VENV)/"
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@# pip < 24 rejects the hashed lock (an extra of a locked package counts as unpinned)
	@echo "==> [2/4] upgrading pip"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pip==26.3'
	@echo "==> [3/4] installing the pinned dependencies from requirements.lock (spaCy and its English model, rdflib, pyoxigraph, ...; first run: a few minutes)"
	@$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@echo "==> [4/4] installing platform-kg itself (editable)"
	@$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)
	@echo "==> installed: $(BIN)/kg"

install: $(STAMP)

demo: $(STAMP)
	@echo "==> building the knowledge graph of data/ into out/ (graph.ttl, graph.html)"
	$(BIN)/kg build data/ -o out/

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Regenerate the hashed lock from requirements.in (needs the package registry).
lock:
	$(BIN)/pip-compile --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links --strip-extras -o requirements.lock requirements.in

clean:
	rm -rf $(VENV) out build *.egg-info
