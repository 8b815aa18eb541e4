#!/usr/bin/env bash
# TensorBoard reads Strata's event files: strata_write_event_files trains with the TensorBoard
# callback, then TensorBoard's own reader (the shared .venv-keras that scripts/keras-venv makes)
# checks every run, tag, step and value (tests/tensorboard/check_event_files.py). Without the
# venv, or with a venv made before tensorboard joined it, the test is skipped (exit 77) with a
# message saying how to make it; .ci/run makes it, so CI runs it.
set -euo pipefail
writer=$1 root=$2 out=$3
python="$root/.venv-keras/bin/python"
if ! [ -x "$python" ] || ! "$python" -c "import tensorboard.backend.event_processing.plugin_event_accumulator" 2>/dev/null; then
  echo "skipped: no Python venv with tensorboard at $root/.venv-keras (make it with scripts/keras-venv)"
  exit 77
fi
rm -rf "$out"
mkdir -p "$out"
"$writer" "$out"
"$python" "$root/tests/tensorboard/check_event_files.py" "$out"
