#!/usr/bin/env bash
# The GPU check: run at once by a session that is lent a GPU (the device tool), within about
# 8 minutes on an H200. That machine has its own python3 with torch 2.11 and torchvision 0.26
# and no package registry: the packages it lacks travel as wheels in .whl/ (make gpu-wheels).
#
#   device run, carry [".whl"], command:  bash bench/gpu_check.sh
#
# It writes one summary, $OUT/gpu_summary.md (or gpu-check/gpu_summary.md), with:
#   1. the machine (nvidia-smi, torch, torchvision);
#   2. the unit tests on CUDA (tests/test_cuda.py) and the core tests on this machine's torch;
#   3. lesson 5 run headless on CUDA: quick, then the real default for a few minutes;
#   4. bench (a) the SSD300 training step and (c) inference with post-processing against
#      torchvision's ssd300_vgg16 at batch 32;
#   5. the data loader's images/s against the GPU training step's (is the GPU starved?).
# Record what it measured in bench/RESULTS.md.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT_DIR=${OUT:-gpu-check}
mkdir -p "$OUT_DIR"
SUMMARY="$OUT_DIR/gpu_summary.md"
LOG="$OUT_DIR/gpu_check.log"
export PYTHONUNBUFFERED=1 OMP_WAIT_POLICY=PASSIVE
PY=${PYTHON:-python3}
if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:$PWD || exit 1
else
  export PYTHONPATH=$PWD
fi

section() { echo; echo "## $1"; echo; }
run() {       # run a command, time it, keep its last lines in the summary
  local name=$1; shift
  local t0=$(date +%s)
  "$@" > "$OUT_DIR/$name.txt" 2>&1; local rc=$?
  local t1=$(date +%s)
  echo "- \`$*\`: exit $rc in $((t1 - t0)) s"
  echo '```'; tail -n ${TAIL:-15} "$OUT_DIR/$name.txt"; echo '```'
  cat "$OUT_DIR/$name.txt" >> "$LOG"
  return $rc
}

{
  echo "# GPU check, $(date -u +%Y-%m-%dT%H:%MZ)"
  section "1. The machine"
  echo '```'
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | head -3
  $PY -c "import torch, torchvision, platform; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'cuda', torch.version.cuda, 'python', platform.python_version(), 'gpu', torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)"
  echo '```'

  section "2. Tests on CUDA, and the core tests on this torch"
  run tests_cuda $PY -m pytest -q -p no:cacheprovider -o addopts="" tests/test_cuda.py
  run tests_core $PY -m pytest -q -p no:cacheprovider -o addopts="" -x tests/test_boxes.py \
      tests/test_default_boxes.py tests/test_matching.py tests/test_loss.py tests/test_postprocess.py \
      tests/test_models.py tests/test_models_small.py tests/test_models_torchvision.py tests/test_metrics.py \
      tests/test_train.py -k "not ddp"

  section "3. Lesson 5 on CUDA, headless"
  SSD_COURSE_QUICK=1 run lesson5_quick timeout 300 $PY -m bench.run_notebook lessons/zh/05_training_run.ipynb
  TAIL=25 run default_run timeout 240 $PY -m ssd_core train --device cuda --run-dir /tmp/gpu-runs \
      --name default --quiet

  section "4. SSD300 against torchvision's ssd300_vgg16, batch 32"
  run bench_train timeout 300 $PY -m bench.bench_train --device cuda --batch 32

  section "5. Is the GPU starved? The data loader against the training step"
  run starved timeout 240 $PY -m bench.bench_gpu_feed --device cuda
} > "$SUMMARY" 2>&1
cat "$SUMMARY"
