#!/usr/bin/env bash
# Runs every test of Msr: the C# suite (xunit) and the F# suite (Expecto console runner).
# Builds first (restoring packages on a fresh machine). Ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
logs=$(mktemp -d)
strip() { sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g'; }

if ! dotnet build Msr.sln -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test tests/Msr.Core.Tests/Msr.Core.Tests.csproj -c Release --no-build --nologo 2>&1 | tee "$logs/core.txt"
core_rc=${PIPESTATUS[0]}
dotnet tests/Msr.Dsl.Tests/bin/Release/net10.0/Msr.Dsl.Tests.dll --colours 0 2>&1 | tee "$logs/dsl.txt"
dsl_rc=${PIPESTATUS[0]}

# xunit (VSTest): "Passed!  - Failed:     0, Passed:   123, Skipped:     0, Total:   123"
core_line=$(strip < "$logs/core.txt" | grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' | tail -n 1)
core_failed=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$core_line")
core_passed=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$core_line")
# Expecto: "EXPECTO! 25 tests run in ... – 25 passed, 0 ignored, 0 failed, 0 errored."
dsl_line=$(strip < "$logs/dsl.txt" | grep -E 'EXPECTO!.* [0-9]+ passed, [0-9]+ ignored, [0-9]+ failed, [0-9]+ errored' | tail -n 1)
dsl_passed=$(sed -E 's/.* ([0-9]+) passed,.*/\1/' <<<"$dsl_line")

# A suite that crashed before printing its summary counts as one failure.
if [ -n "$core_line" ]; then :; else core_passed=0; core_failed=1; echo "C# suite printed no summary (exit $core_rc)"; fi
if [ -n "$dsl_line" ]; then
  dsl_failed=$(( $(sed -E 's/.* ([0-9]+) failed,.*/\1/' <<<"$dsl_line") + $(sed -E 's/.* ([0-9]+) errored.*/\1/' <<<"$dsl_line") ))
else
  dsl_passed=0; dsl_failed=1; echo "F# suite printed no summary (exit $dsl_rc)"
fi
if [ "$core_rc" -ne 0 ] && [ "$core_failed" -eq 0 ]; then core_failed=1; fi
if [ "$dsl_rc" -ne 0 ] && [ "$dsl_failed" -eq 0 ]; then dsl_failed=1; fi

passed=$((core_passed + dsl_passed))
failed=$((core_failed + dsl_failed))
echo
echo "C#: $core_passed passed, $core_failed failed; F#: $dsl_passed passed, $dsl_failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
