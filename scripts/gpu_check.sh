#!/usr/bin/env bash
# The CUDA checks on a lent GPU machine (one call, <= 10 minutes): model tests on CUDA in fp32 and bf16, the SDPA
# kernel flash_attention dispatches to, scan speed on CUDA, training tokens/s per family, the evaluator on CUDA, and a
# search through the process executor with one worker per GPU.  Wheels for packages the machine lacks travel in .whl/.
#   bash scripts/gpu_check.sh [OUT_DIR]
set -u
OUT=${1:-${OUT:-/tmp/gpu_check}}; mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=$PWD:${PYTHONPATH:-} PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, nas_nb; print('torch', torch.__version__, 'nas_nb', nas_nb.__version__, 'cuda', torch.cuda.is_available())"
python3 -c "import mamba_ssm" 2>/dev/null && echo "mamba_ssm present" || echo "mamba_ssm not installed (reference scan)"
python3 -c "import flash_attn" 2>/dev/null && echo "flash_attn present" || echo "flash_attn not installed (SDPA)"
timeout 420 python3 scripts/gpu_check.py --out "$OUT/gpu_check.json" 2>&1 | grep -v USDT | tee "$OUT/gpu_check.log"
echo "== process executor, --device cuda, 2 workers on one GPU =="
timeout 120 python3 -c "from nas_nb.cli import main; raise SystemExit(main())" search --experiment mnist --mode minimal \
  --population 4 --generations 1 --phase smoke --executor process --workers 2 --device cuda --out "$OUT/search" 2>&1 | tail -15
cp "$OUT/search/history.csv" "$OUT/search_history.csv" 2>/dev/null; rm -rf "$OUT/search"
