#!/usr/bin/env bash
# Runs on a lent GPU machine, from the checkout root, with gpu-bundle/ carried (experiments/gpu/prepare.sh writes it):
# device tool: command "bash experiments/gpu/on-device.sh", carry ["gpu-bundle"]. Everything it measures is written
# under a work folder and packed after each step into $OUT/results.tgz (the tool brings back 8 files at most; weights and
# checkpoints stay behind); $OUT/steps.log and $OUT/summary.txt come back as they are:
#   environment.txt   GPU, driver, PyTorch and the libtorch folder Msr loads
#   smoke.txt         one short SharedBottom run on cuda and the same on cpu (records in records-smoke/)
#   parity/parity.txt every model trained briefly on cuda and on cpu (synthetic data), and the cuda-trained weights
#                     predicting on both devices (msr predict --device): experiments/gpu/parity.py's table
#   seeds/            M2M on MovieLens-100K, seeds 2022-2026, both sides on the GPU at once (when the bundle has the
#                     data and the reference), then compare.txt: the fidelity table docs/fidelity.md lacks
#   bench-cuda.txt    msr bench train on the MovieLens-1M twin, every model but M2M, --device cuda
#   bench-cuda-m2m.txt  the same for SharedBottom and M2M
# Each step has its own time limit, cut to what is left of MSR_GPU_BUDGET_S (560 s: a call runs 10 minutes at most and
# the session's device time is short), and a failing step does not stop the next; a step with under 30 s left is skipped.
# Knobs: MSR_GPU_STEPS ("smoke parity seeds bench"; also grid, and bench_m2m: bench's SharedBottom and M2M part alone), MSR_GPU_BUDGET_S, MSR_GPU_DEVICE (cuda; cpu runs the same steps on
# the CPU to check the bundle), MSR_GPU_PARITY_MODELS (every model), MSR_GPU_SEEDS,
# MSR_GPU_SEED_MODEL (M2M; several names run side by side), MSR_GPU_SEED_EPOCHS (20), MSR_GPU_SEED_REFERENCE (1; 0 runs
# Msr alone and tabulates its seeds), MSR_GPU_BENCH_ROWS, MSR_GPU_BENCH_EPOCHS, MSR_GPU_BENCH_MODELS (every model but M2M), MSR_GPU_BENCH_M2M (1; 0 leaves out bench's M2M part),
# and extra dataset options for a step's Msr runs: MSR_GPU_PARITY_DATA, MSR_GPU_SEED_DATA, MSR_GPU_BENCH_DATA (e.g.
# "--data history=20 --data history_attributes=cate_id" for the sequence models).
set -uo pipefail
root="$(pwd)"
bundle="$root/gpu-bundle"
returned="${OUT:-$root/gpu-out}"; mkdir -p "$returned"
out="$(mktemp -d /tmp/msr-gpu.XXXXXX)"   # the work folder; packed into $returned after each step
device="${MSR_GPU_DEVICE:-cuda}"
seeds="${MSR_GPU_SEEDS:-2022 2023 2024 2025 2026}"
steps="${MSR_GPU_STEPS:-smoke parity seeds bench}"
budget="${MSR_GPU_BUDGET_S:-560}"; started=$SECONDS
log() { echo "[$(date +%H:%M:%S) +$((SECONDS - started))s] $*" | tee -a "$out/steps.log"; }
# limit <seconds>: a step's time limit, cut to what is left of the budget less 20 s for packing.
limit() { local left=$(( budget - (SECONDS - started) - 20 )); echo $(( $1 < left ? $1 : (left > 1 ? left : 1) )); }
pack() {
  cp "$out/steps.log" "$returned/steps.log" 2>/dev/null
  { cat "$out/environment.txt" 2>/dev/null; for f in parity/parity.txt seeds/compare.txt seeds/times.log grid/same-numbers.txt grid/run-again.txt $(cd "$out" && ls bench-*.txt 2>/dev/null); do
      [ -f "$out/$f" ] && { echo; echo "== $f"; cat "$out/$f"; }; done; } > "$returned/summary.txt" 2>/dev/null
  tar -czf "$returned/results.tgz.tmp" --exclude='*.bin' --exclude='*.pt' --exclude='*.pth' --exclude='.cache' --exclude='./seeds/data' -C "$out" . 2>/dev/null \
    && mv "$returned/results.tgz.tmp" "$returned/results.tgz"
}
[ -d "$bundle/msr" ] || { log "gpu-bundle/msr is missing: run experiments/gpu/prepare.sh and carry gpu-bundle"; exit 1; }

# The packed .NET runtime, and the machine's own libtorch for TorchSharp (MSR_LIBTORCH, core/Native/ExternalLibTorch).
dn=/tmp/msr-dotnet; mkdir -p "$dn"; [ -x "$dn/dotnet" ] || tar -xJf "$bundle/dotnet.tar.xz" -C "$dn"
export DOTNET_ROOT="$dn" DOTNET_CLI_TELEMETRY_OPTOUT=1
# The machine's PyTorch: PYTHON, else the venv the lent machines keep it in, else python3 on the PATH.
python="${PYTHON:-$([ -x /opt/torch/.venv/bin/python ] && echo /opt/torch/.venv/bin/python || command -v python3)}"
export MSR_LIBTORCH="${MSR_LIBTORCH:-$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}"
export LD_LIBRARY_PATH="$MSR_LIBTORCH:${LD_LIBRARY_PATH:-}"
export MSR_CACHE="$out/.cache" MSR_DEBUG=1   # MSR_DEBUG: a failed run prints its stack trace into its log
msr=("$dn/dotnet" "$bundle/msr/msr.dll")   # an array, not a function: timeout runs programs only
{
  echo "date: $(date -u +%FT%TZ)"; echo "device: $device"; echo "MSR_LIBTORCH: $MSR_LIBTORCH"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || true
  "$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())' 2>&1
  nproc; free -g | head -2
} > "$out/environment.txt"
log "environment: $(tr '\n' ' ' < "$out/environment.txt")"

step_smoke() {
  for d in "$device" cpu; do
    timeout "$(limit 90)" "${msr[@]}" train -d synthetic --data rows=20000 -m SharedBottom --seed 1 --epochs 2 --batch-size 1024 \
      --device "$d" --results "$out/records-smoke/$d" >> "$out/smoke.txt" 2>&1; log "smoke on $d: exit $?"
  done
}

step_parity() {
  local folder="$out/parity" models="${MSR_GPU_PARITY_MODELS:-$(all_models)}" lim; lim=$(limit 150)
  mkdir -p "$folder"
  # Every model at once, one CPU thread each: short runs, and the card and the 16 cores have room.
  for m in $models; do
    ( r="$folder/$m"; mkdir -p "$r"; end=$((SECONDS + lim))
      train=(train -d synthetic --data rows=20000 ${MSR_GPU_PARITY_DATA:-} -m "$m" --seed 7 --epochs 2 --batch-size 1024 --threads 1)
      timeout "$lim" "${msr[@]}" "${train[@]}" --device "$device" --results "$r/gpu" > "$r/train-gpu.log" 2>&1
      rec=$(ls "$r"/gpu/*.json 2>/dev/null | head -1)
      if [ -n "$rec" ]; then
        for d in gpu cpu; do
          dev=$([ $d = gpu ] && echo "$device" || echo cpu)
          timeout $(( end - SECONDS > 1 ? end - SECONDS : 1 )) "${msr[@]}" predict "$rec" --device "$dev" -o "$r/pred-$d.csv" > "$r/predict-$d.log" 2>&1
        done
      fi
      timeout $(( end - SECONDS > 1 ? end - SECONDS : 1 )) "${msr[@]}" "${train[@]}" --device cpu --results "$r/cpu" > "$r/train-cpu.log" 2>&1
    ) &
  done
  wait
  "$python" experiments/gpu/parity.py "$folder" > "$folder/parity.txt" 2>&1
  log "parity: $(grep -c '^| [A-Z]' "$folder/parity.txt") models compared"
}

all_models() { "${msr[@]}" models 2>/dev/null | awk -F'|' 'NR > 2 && NF > 2 { gsub(/ /, "", $2); print $2 }' | tr '\n' ' '; }

reference_name() {
  case "$1" in SAR-Net) echo sarnet ;; ADL) echo adaptdhm ;; *) echo "$1" | tr 'A-Z' 'a-z' ;; esac
}

step_seeds() {
  local data="$bundle/data/ml-100k" models="${MSR_GPU_SEED_MODEL:-M2M}" pids=()
  [ -f "$data/u.data" ] || { log "seeds: no gpu-bundle/data/ml-100k (prepare.sh --ml100k): skipped"; return; }
  local epochs="${MSR_GPU_SEED_EPOCHS:-20}" folder="$out/seeds"
  mkdir -p "$folder/msr$epochs" "$folder/reference$epochs" "$folder/data"
  # Every seed (of every model) at once on each side: the card has room, and device time is short.
  local lim; lim=$(limit 300)
  for model in $models; do
    for s in $seeds; do
      ( timeout "$lim" "${msr[@]}" train -d movielens-100k --path "$data" ${MSR_GPU_SEED_DATA:-} -m "$model" --seed "$s" --epochs "$epochs" \
          --threads 1 --device "$device" --results "$folder/msr$epochs" > "$folder/msr-$model-$s.log" 2>&1
        echo "msr $model $s exit $?" >> "$folder/times.log" ) & pids+=($!)
    done
  done
  local model="${models%% *}"
  if [ "${MSR_GPU_SEED_REFERENCE:-1}" = 0 ]; then
    log "seeds: Msr side only (MSR_GPU_SEED_REFERENCE=0)"
    wait "${pids[@]}"
    log "seeds: $(tr '\n' ';' < "$folder/times.log")"
    "$python" - "$folder/msr$epochs" > "$folder/compare.txt" 2>&1 <<'PY'
import glob, json, statistics, sys
runs = {}
for f in sorted(glob.glob(sys.argv[1] + '/*.json')):
    r = json.load(open(f))
    if r['status'] != 'completed': print('failed:', f, r.get('error')); continue
    runs.setdefault(r['config']['model'], []).append((r['config']['seed'], r['test']['overall']['auc'], r['test']['overall']['log_loss'], r['training']['epochs_run']))
print('| model | seeds | test AUC mean ± sd | test logloss mean ± sd | per seed (seed: AUC, logloss, epochs) |')
print('|---|---:|---|---|---|')
for m, rs in runs.items():
    a = [x[1] for x in rs]; l = [x[2] for x in rs]
    sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
    print(f"| {m} | {len(rs)} | {statistics.mean(a):.4f} ± {sd(a):.4f} | {statistics.mean(l):.4f} ± {sd(l):.4f} | " + '; '.join(f'{s}: {x:.4f}, {y:.4f}, {e}' for s, x, y, e in rs) + ' |')
PY
    return
  fi
  if [ -d "$bundle/reference/scripts" ]; then
    "$python" experiments/reference-seeds/ml100k_merged.py "$data" "$folder/data"
    for s in $seeds; do
      ( MSR_REFERENCE="$bundle/reference" timeout "$lim" "$python" experiments/reference-seeds/run_reference.py \
          "$(reference_name "$model")" "$s" "$epochs" "$folder/data" "$folder/reference$epochs" --device "$device" \
          > "$folder/reference-$s.log" 2>&1
        echo "reference $model $s exit $?" >> "$folder/times.log" ) & pids+=($!)
    done
  else
    log "seeds: no gpu-bundle/reference (prepare.sh --reference): Msr side only"
  fi
  wait "${pids[@]}"
  log "seeds: $(tr '\n' ';' < "$folder/times.log")"
  "$python" experiments/reference-seeds/compare.py "$folder" "$epochs" > "$folder/compare.txt" 2>&1 || true
}

# The grid runner on the device: a small plan run twice (the second run must find everything done), then once more
# into a fresh folder to see whether the same seeds give the same numbers on this device, then `msr report`.
step_grid() {
  local folder="$out/grid"; mkdir -p "$folder"
  cat > "$folder/plan.json" <<JSON
{ "title": "grid on $device", "datasets": [ { "name": "synthetic", "options": { "rows": 20000 } } ],
  "models": [ { "name": "SharedBottom" }, { "name": "STAR" }, { "name": "HAMUR" }, { "name": "M3oE" } ], "seeds": [1, 2],
  "training": { "epochs": 3, "batch_size": 1024, "device": "$device" }, "results": "$folder/first", "threads": 1 }
JSON
  timeout "$(limit 120)" "${msr[@]}" run "$folder/plan.json" > "$folder/run-first.txt" 2>&1; log "grid: first run exit $?"
  timeout "$(limit 60)" "${msr[@]}" run "$folder/plan.json" > "$folder/run-again.txt" 2>&1
  log "grid: run again exit $?: $(grep -E ' trained, ' "$folder/run-again.txt" | tail -1)"
  sed 's|"results": "[^"]*"|"results": "'"$folder"'/second"|' "$folder/plan.json" > "$folder/plan-second.json"
  timeout "$(limit 120)" "${msr[@]}" run "$folder/plan-second.json" > "$folder/run-second.txt" 2>&1; log "grid: second folder exit $?"
  timeout "$(limit 60)" "${msr[@]}" report "$folder/first" > "$folder/report.md" 2>&1
  "$python" - "$folder" > "$folder/same-numbers.txt" 2>&1 <<'PY'
import glob, json, os, sys
folder = sys.argv[1]
print('| run | test AUC (first, second) | same test AUC and logloss | same training losses |')
print('|---|---|---|---|')
for f in sorted(glob.glob(os.path.join(folder, 'first', '*.json'))):
    other = os.path.join(folder, 'second', os.path.basename(f))
    if not os.path.exists(other):
        print(f'| {os.path.basename(f)} | missing in second | | |'); continue
    a, b = json.load(open(f)), json.load(open(other))
    if a['status'] != 'completed' or b['status'] != 'completed':
        print(f"| {os.path.basename(f)} | {a['status']}, {b['status']} | | |"); continue
    ta, tb = a['test']['overall'], b['test']['overall']
    la = [e['train_loss'] for e in a['training']['history']]; lb = [e['train_loss'] for e in b['training']['history']]
    print(f"| {os.path.basename(f)[:-5]} | {ta['auc']:.6f}, {tb['auc']:.6f} | {ta == tb} | {la == lb} |")
PY
  log "grid: $(grep -c 'True | True' "$folder/same-numbers.txt") of $(grep -c '^| synthetic' "$folder/same-numbers.txt") runs gave the same numbers twice"
}

step_bench() {
  local models="${MSR_GPU_BENCH_MODELS:-$(all_models | sed 's/ M2M / /')}"
  bench_on_device "$models" "bench-$device.txt" 300
  [ "${MSR_GPU_BENCH_M2M:-1}" = 1 ] || return
  [ "$(limit 999)" -ge 30 ] || { log "bench of M2M: skipped, the budget is spent"; return; }
  step_bench_m2m
}

step_bench_m2m() { bench_on_device "SharedBottom M2M" "bench-$device-m2m.txt" 200; }

# bench_on_device <models> <file> <seconds>: msr bench train on the MovieLens-1M twin; on a GPU, nvidia-smi samples the
# card's used memory meanwhile (the CUDA context and the caching allocator's reserve included), and the peak is logged.
bench_on_device() {
  local rows="${MSR_GPU_BENCH_ROWS:-1000000}" epochs="${MSR_GPU_BENCH_EPOCHS:-3}" sampler=""
  if command -v nvidia-smi >/dev/null && [ "$device" != cpu ]; then
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$out/$2.gpu-memory" 2>/dev/null & sampler=$!
  fi
  timeout "$(limit "$3")" "${msr[@]}" bench train -d movielens --rows "$rows" --epochs "$epochs" --device "$device" ${MSR_GPU_BENCH_DATA:-} -m $1 \
    > "$out/$2" 2>&1
  local rc=$?
  [ -n "$sampler" ] && { kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
    echo "peak GPU memory used during this bench (nvidia-smi): $(sort -n "$out/$2.gpu-memory" | tail -1) MiB" >> "$out/$2"; }
  log "bench on $device ($1): exit $rc"
}

for s in $steps; do
  case "$s" in
    smoke|parity|seeds|grid|bench|bench_m2m)
      if [ "$(limit 999)" -lt 30 ]; then log "step $s: skipped, the budget is spent"
      else log "step $s"; "step_$s"; fi ;;
    *) log "unknown step '$s' (smoke, parity, seeds, grid, bench, bench_m2m)" ;;
  esac
  pack
done
log "done"
pack
