#!/usr/bin/env bash
# The main job: build Msr (restoring packages on first use) and run run.fsx on the embedded synthetic data.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build dsl/Msr.Cli/Msr.Cli.fsproj -c Release -nologo -v quiet "-clp:ErrorsOnly;NoSummary"
exec dotnet fsi --quiet run.fsx "$@"
