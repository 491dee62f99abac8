#!/usr/bin/env bash
# The main job: build Msr (restoring packages on first use) and run run.fsx on the embedded synthetic data.
set -euo pipefail
cd "$(dirname "$0")"
# Build output is shown only when the build fails.
echo "building Msr (the first build restores packages, libtorch included: allow a few minutes)..." >&2
if ! build_log=$(dotnet build dsl/Msr.Cli/Msr.Cli.fsproj -c Release -nologo -v quiet 2>&1); then echo "$build_log" >&2; exit 1; fi
exec dotnet fsi --quiet run.fsx "$@"
