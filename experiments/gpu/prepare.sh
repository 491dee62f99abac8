#!/usr/bin/env bash
# Builds, on this machine, everything a lent GPU machine needs to run experiments/gpu/on-device.sh there. That machine
# has PyTorch (with CUDA) but no .NET and no network, and receives only the checkout plus the ignored folders a call
# carries (64 MiB in all), so this writes gpu-bundle/ (ignored by git):
#   msr/              the CLI published framework-dependent against the plain TorchSharp package (no libtorch: the
#                     machine's own PyTorch provides it through MSR_LIBTORCH)
#   dotnet.tar.xz     the .NET runtime (../shared/gpu/pack-dotnet-runtime.sh)
#   data/ml-100k/     MovieLens-100K, when --ml100k is given (for the M2M seeds; never committed)
#   reference/        a checkout of the reference benchmark, when --reference is given (never committed)
# Usage: experiments/gpu/prepare.sh [--ml100k <folder>] [--reference <Scenario-Wise-Rec checkout>]
# Then, with the device tool: command "bash experiments/gpu/on-device.sh", carry ["gpu-bundle"].
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${MSR_SHARED:-$root/../shared}/gpu"   # MSR_SHARED: where ../shared is, for a checkout elsewhere
bundle="$root/gpu-bundle"
ml100k=""; reference=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ml100k) ml100k="$2"; shift 2 ;;
    --reference) reference="$2"; shift 2 ;;
    *) echo "unknown argument '$1'; usage: prepare.sh [--ml100k <folder>] [--reference <checkout>]" >&2; exit 2 ;;
  esac
done
[ -f "$shared/pack-dotnet-runtime.sh" ] || { echo "$shared/pack-dotnet-runtime.sh is missing: this needs ../shared/gpu beside the checkout" >&2; exit 1; }

rm -rf "$bundle"; mkdir -p "$bundle"
# A copy of the sources, so the 'external' restore never touches this checkout's obj/ folders (the CPU build's).
src="$(mktemp -d)"; trap 'rm -rf "$src"' EXIT
(cd "$root" && git ls-files -co --exclude-standard -z core dsl Directory.Build.props Directory.Packages.props global.json 2>/dev/null \
  | xargs -0 -I{} cp --parents {} "$src")
echo "publishing the CLI against plain TorchSharp..." >&2
# For linux-x64 only: other platforms' native libraries (SkiaSharp for plots and the like) would not fit the carry.
if ! log=$(dotnet publish "$src/dsl/Msr.Cli/Msr.Cli.fsproj" -c Release -p:MsrTorchBackend=external --runtime linux-x64 \
    --self-contained false -o "$bundle/msr" -nologo -v quiet 2>&1); then echo "$log" >&2; exit 1; fi
bash "$shared/pack-dotnet-runtime.sh" "$bundle/dotnet.tar.xz" >&2
if [ -n "$ml100k" ]; then
  mkdir -p "$bundle/data/ml-100k"
  cp "$ml100k"/u.data "$ml100k"/u.item "$ml100k"/u.user "$ml100k"/u.genre "$bundle/data/ml-100k/"
fi
if [ -n "$reference" ]; then
  mkdir -p "$bundle/reference"
  (cd "$reference" && tar --exclude=.git --exclude=figures -cf - .) | tar -xf - -C "$bundle/reference"
fi
size=$(du -sm "$bundle" | cut -f1)
echo "gpu-bundle: ${size} MiB (a call carries 64 MiB at most)" >&2
[ "$size" -le 64 ] || { echo "gpu-bundle is over 64 MiB" >&2; exit 1; }
