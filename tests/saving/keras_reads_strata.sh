#!/usr/bin/env bash
# The Strata -> Keras direction: strata_write_saves writes models in every format, then real
# Keras (the shared .venv-keras that scripts/keras-venv makes) loads each file and checks its
# predictions (tests/golden/check_strata_saves.py). Without the venv the test is skipped
# (exit 77) with a message saying how to make it; .ci/run makes it, so CI runs both directions.
set -euo pipefail
writer=$1 root=$2 out=$3
python="$root/.venv-keras/bin/python"
if ! [ -x "$python" ] || ! KERAS_BACKEND=jax "$python" -c "import keras, jax, h5py" 2>/dev/null; then
  echo "skipped: no Keras virtual environment at $root/.venv-keras (make it with scripts/keras-venv)"
  exit 77
fi
rm -rf "$out"
"$writer" "$out"
KERAS_BACKEND=jax "$python" "$root/tests/golden/check_strata_saves.py" "$out"
