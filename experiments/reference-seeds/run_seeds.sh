#!/usr/bin/env bash
# Seeds of Msr and of the reference benchmark's own code on MovieLens-100K, the same data, split and protocol on both
# sides (docs/fidelity.md). Finished runs are skipped and a killed run continues after its last finished epoch (both
# sides keep an epoch checkpoint), so the script resumes; two copies may share one folder (a .busy marker with the
# copy's process id claims a run).
#
# Usage: ML100K=<ml-100k folder> MSR_REFERENCE=<reference checkout> \
#        experiments/reference-seeds/run_seeds.sh <out folder> <epoch budget> <msr|reference|both> MODEL...
# MODEL is Msr's name (EPNet, AdaSparse, SAR-Net, ADL, PPNet, M3oE, HAMUR, M2M, SharedBottom, MMoE, PLE, STAR).
# SEEDS (default 2022-2026), DEVICE (cpu; cuda runs both sides on the GPU) and PYTHON (/usr/bin/python3) may be set.
# Then: python3 experiments/reference-seeds/compare.py <out folder> <epoch budget>
# On Debian, install an optimised BLAS first (apt install libopenblas0-pthread): its PyTorch otherwise calls netlib's
# reference BLAS and the reference runs about 100x slower (docs/fidelity.md, "The reference's BLAS").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$1"; budget="$2"; sides="$3"; shift 3
: "${ML100K:?set ML100K to the MovieLens-100K folder (u.data, u.item, u.user, u.genre)}"
seeds="${SEEDS:-2022 2023 2024 2025 2026}"
device="${DEVICE:-cpu}"
python="${PYTHON:-/usr/bin/python3}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"   # one thread, as --threads 1 on both sides
mkdir -p "$out/msr$budget" "$out/reference$budget" "$out/data"

reference_name() {
  case "$1" in
    EPNet) echo epnet ;; AdaSparse) echo adasparse ;; SAR-Net) echo sarnet ;; ADL) echo adaptdhm ;; PPNet) echo ppnet ;;
    M3oE) echo m3oe ;; HAMUR) echo hamur ;; M2M) echo m2m ;; SharedBottom) echo sharedbottom ;; MMoE) echo mmoe ;;
    PLE) echo ple ;; STAR) echo star ;;
    *) echo "no reference counterpart for '$1'; models: EPNet AdaSparse SAR-Net ADL PPNet M3oE HAMUR M2M SharedBottom MMoE PLE STAR" >&2; exit 2 ;;
  esac
}

claim() { # claim <marker>: false when another live copy holds it. A marker whose copy is gone (killed, or a session
  # that ended) is taken over: that run continues from its epoch checkpoint on either side.
  if [ -e "$1" ]; then
    local holder; holder="$(cat "$1" 2>/dev/null || true)"
    [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null && return 1
    rm -f "$1"
  fi
  (set -o noclobber; echo $$ > "$1") 2>/dev/null
}

run_msr() {
  local model="$1" seed="$2" marker="$out/msr$budget/.busy-$1-$2"
  "$python" - "$out/msr$budget" "$model" "$seed" <<'PY' && return 0
import glob, json, sys
folder, model, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
def done(f):
    r = json.load(open(f))
    return r['status'] == 'completed' and r['config']['model'] == model and r['config']['seed'] == seed
sys.exit(0 if any(done(f) for f in glob.glob(folder + '/*.json')) else 1)
PY
  claim "$marker" || return 0
  local t0=$SECONDS
  # MSR_MALLOC=all: every freed block reused (M2M's step about 5x faster; 9-10 GB), unless you chose (run_reference below).
  MSR_MALLOC="${MSR_MALLOC:-all}" "$root/msr" train -d movielens-100k --path "$ML100K" -m "$model" --seed "$seed" --epochs "$budget" --threads 1 \
    --device "$device" --results "$out/msr$budget" >> "$out/msr$budget/progress.log" 2>&1 || echo "msr $model $seed failed" >> "$out/times.log"
  echo "msr $model $seed $((SECONDS - t0)) s" >> "$out/times.log"
  rm -f "$marker"
}

run_reference() {
  local model="$1" seed="$2" name; name="$(reference_name "$1")"
  local marker="$out/reference$budget/.busy-$name-$seed"
  [ -f "$out/reference$budget/${name}_Movielens_${seed}.csv" ] && return 0
  : "${MSR_REFERENCE:?set MSR_REFERENCE to a checkout of the reference benchmark}"
  [ -f "$out/data/ml-1m.csv" ] || "$python" "$here/ml100k_merged.py" "$ML100K" "$out/data"
  claim "$marker" || return 0
  local t0=$SECONDS
  # glibc's malloc as Msr sets it for itself (core/Native/MallocRetention.cs): without it every large tensor is mapped
  # and faulted in afresh on each step (M2M's 268 MB attention maps: most of its step). Allocation only, no number moves.
  # The price is memory: the reference's M2M process grew to 11 GB this way (Msr's to 8.7 GB), nearly 20 GB for the two
  # sides together, so run nothing big beside them. Any MALLOC_*_ or GLIBC_TUNABLES of yours replaces these: where
  # memory is short, MALLOC_MMAP_THRESHOLD_=33554432 keeps this side near 5 GB at about three times the time per epoch,
  # and MSR_MALLOC=glibc (or keep, Msr's default) does the same for Msr's.
  local malloc_env=()
  if [ -z "${MALLOC_MMAP_MAX_:-}${MALLOC_MMAP_THRESHOLD_:-}${MALLOC_TRIM_THRESHOLD_:-}${MALLOC_TOP_PAD_:-}${GLIBC_TUNABLES:-}" ]; then
    malloc_env=(MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=2147483647 MALLOC_TOP_PAD_=268435456)
  fi
  env "${malloc_env[@]}" "$python" "$here/run_reference.py" "$name" "$seed" "$budget" "$out/data" "$out/reference$budget" --device "$device" \
    >> "$out/reference$budget/progress.log" 2>&1 || echo "reference $model $seed failed" >> "$out/times.log"
  echo "reference $model $seed $((SECONDS - t0)) s" >> "$out/times.log"
  rm -f "$marker"
}

for model in "$@"; do
  reference_name "$model" > /dev/null
  for seed in $seeds; do
    case "$sides" in
      msr) run_msr "$model" "$seed" ;;
      reference) run_reference "$model" "$seed" ;;
      both) run_msr "$model" "$seed"; run_reference "$model" "$seed" ;;
      *) echo "sides: msr, reference or both (got '$sides')" >&2; exit 2 ;;
    esac
  done
done
