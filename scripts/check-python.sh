#!/usr/bin/env bash
# The Python package's tests and the example notebook, against a built slashsim: a virtual environment with the
# package (`pip install ./python`), pytest, PyYAML and nbclient (from PyPI), then pytest and the notebook executed
# cell by cell (nbclient: it must run, not just have been run once).
#   bash scripts/check-python.sh [SLASHSIM_BINARY]     (default .build/debug/slashsim)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-.build/debug/slashsim}")
venv=${SLASHSIM_PYTHON_VENV:-.venv-python}
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check ./python pytest pyyaml nbclient nbformat ipykernel
SLASHSIM_BIN="$binary" "$venv/bin/python" -m pytest python/tests -q
SLASHSIM_BIN="$binary" "$venv/bin/python" - <<'PY'
import nbformat
from nbclient import NotebookClient
path = "docs/examples/first-report.ipynb"
notebook = nbformat.read(path, as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": "docs/examples"}}).execute()
outputs = sum(len(cell.get("outputs", [])) for cell in notebook.cells if cell.cell_type == "code")
print(f"{path}: every cell ran ({outputs} outputs)")
PY
