#!/usr/bin/env bash
# Rewrites the committed CI baseline (ci/baseline) with the CI grid (ci/grid.fsx) on seeds 1-5.
# Run it when a change is meant to alter numbers (or changes the grid), review `git diff --stat ci/baseline`,
# and commit the new records with the change, saying why the numbers moved. See docs/ci.md.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build dsl/Msr.Cli/Msr.Cli.fsproj -c Release -nologo -v quiet -clp:ErrorsOnly
rm -rf ci/baseline
dotnet fsi --quiet ci/grid.fsx ci/baseline 1 2 3 4 5
# The gate compares metrics only; trained weights are not part of a baseline.
rm -f ci/baseline/*.weights.bin
echo "baseline rewritten: $(ls ci/baseline/*.json | wc -l) records in ci/baseline"
