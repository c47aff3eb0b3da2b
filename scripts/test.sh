#!/usr/bin/env bash
# The whole test suite, from a fresh clone with only the .NET SDK and Node.js installed.
# Installs Azurite from package-lock.json, builds everything (warnings are errors), checks formatting, runs every test
# project, and ends with one "tests: N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "==> npm ci (Azurite)"
npm ci --no-audit --no-fund --loglevel=error

echo "==> dotnet build"
dotnet build TokenBroker.sln --configuration Release -nologo -clp:ErrorsOnly

echo "==> dotnet format --verify-no-changes"
dotnet format TokenBroker.sln --verify-no-changes --no-restore --exclude tests/TokenBroker.Benchmarks/BenchmarkDotNet.Artifacts

echo "==> dotnet test"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test TokenBroker.sln --configuration Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# One summary line over every test assembly (the console logger prints "Passed: N" and "Failed: N" per assembly).
awk '/^ *Passed: [0-9]+ *$/ { passed += $2 }
     /^ *Failed: [0-9]+ *$/ { failed += $2 }
     END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
