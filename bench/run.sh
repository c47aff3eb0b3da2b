#!/usr/bin/env bash
# Every performance figure of docs/performance.md, measured side by side in one run, printed with its target and
# PASS/SHORT. A SHORT is a finding: the exit code is non-zero only when something failed to run.
#
#   1. cache hit, broker core vs MSAL.NET (BenchmarkDotNet, in process, with the memory diagnoser)
#   2. HTTP cache hit, the standalone broker host vs a bare Kestrel endpoint with the same body (wrk, loopback only)
#   3. cold burst: 1,000 concurrent cold callers over 3 broker hosts sharing Azurite, against a lone cold request, with
#      the authorization server answering at once and after BENCH_AUTH_DELAY_MS (Entra-like); table reads of waiting hosts
#   4. steady state: 50 connections, 5-minute tokens, 10 simulated minutes (FakeTimeProvider, Azurite)
#   5. memory per cached token for 10,000 connections
#   and what a connection costs as the fleet grows: BENCH_FLEET_CONNECTIONS connections on 1 and 3 instances sharing
#   Azurite for 10 simulated minutes (table transactions, Key Vault reads, token requests, the refresh job's run time).
#   and, for context, how many token requests 100 concurrent cold callers cause with the broker and with MSAL.
#   17.2 a new instance's time to first token (a token already in the table), the standalone host and the Functions worker
#        (under the stand-in Functions host), published without and with ReadyToRun, and the host as its container ships
#        it (self-contained, composite ReadyToRun), against a bare app's first response, and a bare isolated worker under
#        the same stand-in (the Functions worker SDK's own floor);
#        also each start's CPU to first token (the work, which a busy machine barely changes) and the forwards the
#        stand-in retried while the worker's listener did not accept yet (as Azure's host retries them)
#   Issue 17, item 3: the client library's AddBrokeredToken handler on a cached token vs a pass-through handler
#   (BenchmarkDotNet, in process, inside the in-process step); item 5: the warm HTTP path's server CPU and bytes allocated
#   per request vs the bare endpoint (the wrk rounds and the allocation profile of 2), judged against their targets.
#
# Settings (environment): BENCH_ROUNDS (3), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (10), BENCH_CONNECTIONS (32),
# BENCH_THREADS (1), BENCH_JOB (short), BENCH_PIN (1: server on CPU 1, wrk on CPU 0, when taskset exists),
# BENCH_BURST_ROUNDS (3), BENCH_BURST_CALLERS (1000), BENCH_AUTH_DELAY_MS (200: the slow server's answer time),
# BENCH_FLEET_CONNECTIONS (10000; 0 skips the fleet cost), BENCH_FLEET_INSTANCES (1,3),
# BENCH_STARTUP_ROUNDS (5), BENCH_STARTUP_TRACE (1: one traced start each),
# BENCH_OUT (results folder; default .local/bench/<timestamp>), BENCH_PORT_BASE (7170).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rounds="${BENCH_ROUNDS:-3}"
seconds="${BENCH_SECONDS:-10}"
warmup_seconds="${BENCH_WARMUP_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-32}"
threads="${BENCH_THREADS:-1}"
job="${BENCH_JOB:-short}"
burst_rounds="${BENCH_BURST_ROUNDS:-3}"
burst_callers="${BENCH_BURST_CALLERS:-1000}"
auth_delay_ms="${BENCH_AUTH_DELAY_MS:-200}"
fleet_connections="${BENCH_FLEET_CONNECTIONS:-10000}"
fleet_instances="${BENCH_FLEET_INSTANCES:-1,3}"
startup_rounds="${BENCH_STARTUP_ROUNDS:-5}"
startup_trace="${BENCH_STARTUP_TRACE:-1}"
out="${BENCH_OUT:-$root/.local/bench/$(date -u +%Y%m%d-%H%M%S)}"
port_base="${BENCH_PORT_BASE:-7170}"

broker_url="http://127.0.0.1:$((port_base + 1))"
bare_url="http://127.0.0.1:$((port_base + 2))"
auth_url="http://127.0.0.1:$((port_base + 3))"
table_port=$((port_base + 4)) blob_port=$((port_base + 5)) queue_port=$((port_base + 6))
token_route="/api/token/demo"

bench_dll="$root/tests/TokenBroker.Benchmarks/bin/Release/net10.0/TokenBroker.Benchmarks.dll"
host_dir="$root/src/TokenBroker.Host/bin/Release/net10.0"
auth_dir="$root/tools/TokenBroker.DevAuthorizationServer"

started=$SECONDS
mkdir -p "$out/wrk"

pids=()
cleanup() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then
    echo "==> stopping what this script started (${#pids[@]} processes)"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

fail() { echo "error: $*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# User + system CPU time of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat, counted after the command name).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
wait_for() { # url, name, pid
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || fail "$2 exited; see $out/$2.log"
    sleep 0.5
  done
  fail "$2 did not answer at $1; see $out/$2.log"
}

# Both HTTP servers get the same CPU and the same GC (the host's default, server GC), so the only difference between
# them is the broker's own work. Pinning keeps wrk and the server under test off each other's core on a 2-core machine.
server_cpu=(env DOTNET_gcServer=1) load_cpu=()
if [[ "${BENCH_PIN:-1}" == 1 ]] && command -v taskset >/dev/null && (($(nproc) >= 2)); then
  server_cpu+=(taskset -c 1) load_cpu=(taskset -c 0)
fi

echo "==> results in $out"

# --- what the run needs ---------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  echo "==> installing wrk (Debian package)"
  sudo_cmd=()
  ((EUID == 0)) || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq wrk >/dev/null
fi
command -v wrk >/dev/null || fail "wrk is not installed and could not be installed"
command -v curl >/dev/null || fail "curl is required"

if [[ ! -x node_modules/.bin/azurite || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "==> npm ci (Azurite)"
  npm ci --no-audit --no-fund --loglevel=error
fi

for port in "${broker_url##*:}" "${bare_url##*:}" "${auth_url##*:}" "$table_port" "$blob_port" "$queue_port"; do
  port_open "$port" && fail "port $port is in use; stop whatever listens there or set BENCH_PORT_BASE"
done

echo "==> dotnet build (Release)"
for project in tests/TokenBroker.Benchmarks src/TokenBroker.Host tools/TokenBroker.DevAuthorizationServer; do
  dotnet build "$project" --configuration Release -nologo -clp:ErrorsOnly >>"$out/build.log" 2>&1 \
    || { cat "$out/build.log" >&2; fail "building $project failed"; }
done

# 17.2 compares what ships (the projects' own publish, ReadyToRun) with the same publish without it, and the host as its
# container ships it (the Container profile: self-contained, composite ReadyToRun; crossgen2 takes minutes on it).
echo "==> dotnet publish the host and the Functions app, with and without ReadyToRun, and the host's container publish"
for app in Host Functions; do
  dotnet publish "src/TokenBroker.$app" --configuration Release -nologo -clp:ErrorsOnly -o "$out/publish/$app-r2r" >>"$out/build.log" 2>&1 \
    && dotnet publish "src/TokenBroker.$app" --configuration Release -nologo -clp:ErrorsOnly -p:PublishReadyToRun=false -o "$out/publish/$app-jit" >>"$out/build.log" 2>&1 \
    || { tail -40 "$out/build.log" >&2; fail "publishing src/TokenBroker.$app failed"; }
done
dotnet publish src/TokenBroker.Host --configuration Release -nologo -clp:ErrorsOnly -p:PublishProfile=Container -o "$out/publish/Host-container" >>"$out/build.log" 2>&1 \
  || { tail -40 "$out/build.log" >&2; fail "publishing src/TokenBroker.Host with the Container profile failed"; }
# The worker's yardstick: an isolated worker with one HTTP function and nothing of the broker, published as the app is.
dotnet publish tests/TokenBroker.Benchmarks.BareWorker --configuration Release -nologo -clp:ErrorsOnly -o "$out/publish/BareWorker-r2r" >>"$out/build.log" 2>&1 \
  || { tail -40 "$out/build.log" >&2; fail "publishing tests/TokenBroker.Benchmarks.BareWorker failed"; }

# --- Azurite: the Table Storage of items 2, 3 and 4, each on its own table ---------------------------------------------
echo "==> starting Azurite (in memory) on 127.0.0.1:$table_port"
node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --silent --disableTelemetry --skipApiVersionCheck --loose \
  --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
  --tableHost 127.0.0.1 --tablePort "$table_port" >"$out/azurite.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do port_open "$table_port" && break; sleep 0.5; done
port_open "$table_port" || fail "Azurite did not start; see $out/azurite.log"
storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"

# --- 1, 4, 5 and the in-process cold burst -----------------------------------------------------------------------------
echo "==> BenchmarkDotNet cache-hit and client-handler benchmarks ($job job, in process), memory footprint, cold burst, steady state"
dotnet "$bench_dll" in-process --job "$job" --storage "$storage" --out "$out/in-process.json" >"$out/in-process.log" 2>&1 \
  || { tail -40 "$out/in-process.log" >&2; fail "the in-process benchmarks failed; see $out/in-process.log"; }
awk '/^\/\/ \* Summary \*/ {on = 1} /^\/\/ \* Legends \*/ {on = 0} on' "$out/in-process.log"
sed -n '/^==> steady state/,/^}/p' "$out/in-process.log"

# --- 2: the broker host and the bare endpoint under wrk -----------------------------------------------------------------
echo "==> starting the development authorization server on $auth_url"
# Its demo client is in the project folder's appsettings.json, which the build keeps out of bin/.
(cd "$auth_dir" && exec dotnet bin/Release/net10.0/TokenBroker.DevAuthorizationServer.dll --urls "$auth_url") >"$out/authorization-server.log" 2>&1 &
pids+=($!)
wait_for "$auth_url/.well-known/openid-configuration" authorization-server "${pids[-1]}"

# token-cache-key: the key that encrypts tokens in the table (32 random bytes, base64), a secret like the client's.
printf '{\n  "demo-client-secret": "demo-secret-change-me",\n  "token-cache-key": "%s"\n}\n' "$(head -c 32 /dev/urandom | base64)" >"$out/secrets.json"
echo "==> starting the broker host (Release, Development environment) on $broker_url"
(
  cd "$host_dir"
  export ASPNETCORE_ENVIRONMENT=Development \
    TokenBroker__Connections__demo__TokenEndpoint="$auth_url/connect/token" \
    TokenBroker__Connections__demo__ClientId="demo-client" \
    TokenBroker__Connections__demo__SecretName="demo-client-secret" \
    TokenBroker__Connections__demo__Scopes="api.read" \
    TokenBroker__Connections__demo__AllowedScopes="api.read api.write" \
    TokenBroker__LocalSecretsFile="$out/secrets.json" \
    TokenBroker__TokenCache__ConnectionString="$storage"
  exec "${server_cpu[@]}" dotnet TokenBroker.Host.dll --urls "$broker_url"
) >"$out/broker.log" 2>&1 &
broker_pid=$!
pids+=("$broker_pid")
wait_for "$broker_url/api/health" broker "$broker_pid"

echo "==> warming the broker's cache (one token request to the authorization server)"
for _ in 1 2; do
  status="$(curl -sS -o "$out/token-response.json" -D "$out/broker-headers.txt" -w '%{http_code}' -X POST -H 'Content-Length: 0' "$broker_url$token_route")"
  [[ "$status" == 200 ]] || fail "the broker answered HTTP $status; see $out/token-response.json and $out/broker.log"
done

echo "==> starting the bare endpoint on $bare_url with the broker's $(wc -c <"$out/token-response.json")-byte body"
(exec "${server_cpu[@]}" dotnet "$bench_dll" bare --body-file "$out/token-response.json" --urls "$bare_url" --environment Development) >"$out/bare.log" 2>&1 &
bare_pid=$!
pids+=("$bare_pid")
wait_for "$bare_url/api/health" bare "$bare_pid"
curl -sS -o "$out/bare-response.json" -D "$out/bare-headers.txt" -X POST -H 'Content-Length: 0' "$bare_url$token_route"
cmp -s "$out/token-response.json" "$out/bare-response.json" || fail "the bare endpoint's body differs from the broker's"

run_wrk() { # name url seconds file server-pid
  local before after cpu
  before="$(cpu_ticks "$5")"
  "${load_cpu[@]}" wrk -t"$threads" -c"$connections" -d"$3s" --latency -s bench/wrk-token.lua "$2$token_route" >"$4.txt" 2>&1 \
    || { cat "$4.txt" >&2; fail "wrk against $1 failed"; }
  after="$(cpu_ticks "$5")"
  cpu="$(awk -v a="$before" -v b="$after" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", (b - a) / hz }')"
  { grep '^{' "$4.txt" || true; } | tail -1 | sed "s/^{/{\"serverCpuSeconds\":$cpu,/" >"$4.json"
  [[ -s "$4.json" ]] || fail "wrk printed no result for $1; see $4.txt"
}

echo "==> wrk warm-up, ${warmup_seconds} s each (JIT tiers, connection pools)"
run_wrk broker "$broker_url" "$warmup_seconds" "$out/wrk/warmup-broker" "$broker_pid"
run_wrk bare "$bare_url" "$warmup_seconds" "$out/wrk/warmup-bare" "$bare_pid"

echo "==> wrk: $rounds rounds x ${seconds} s per side, -t$threads -c$connections, alternating (ABBA) to cancel drift"
for round in $(seq 1 "$rounds"); do
  order=(broker bare)
  ((round % 2 == 0)) && order=(bare broker)
  for side in "${order[@]}"; do
    url="$broker_url" pid="$broker_pid"
    [[ "$side" == bare ]] && url="$bare_url" pid="$bare_pid"
    run_wrk "$side" "$url" "$seconds" "$out/wrk/$side-$round" "$pid"
    printf '    round %d %-6s %s\n' "$round" "$side" "$(grep -E 'Requests/sec' "$out/wrk/$side-$round.txt" | tr -s ' ')"
  done
done

echo "==> allocations per request in each server (EventPipe allocation ticks over 20,000 requests)"
mkdir -p "$out/allocations"
"${load_cpu[@]}" dotnet "$bench_dll" allocations --pid "$broker_pid" --url "$broker_url$token_route" --out "$out/allocations/broker.json" \
  || fail "profiling the broker's allocations failed"
"${load_cpu[@]}" dotnet "$bench_dll" allocations --pid "$bare_pid" --url "$bare_url$token_route" --out "$out/allocations/bare.json" \
  || fail "profiling the bare endpoint's allocations failed"

# --- 3: the cold burst over three hosts ---------------------------------------------------------------------------------
# Its own authorization server and three broker hosts, in one process so the server's request log counts the token
# requests; the same Azurite, a fresh table. Server GC, as the hosts run. Not pinned: load and hosts share the process.
echo "==> cold burst: $burst_callers callers over 3 broker hosts sharing Azurite, $burst_rounds rounds, each after a lone cold request"
env DOTNET_gcServer=1 dotnet "$bench_dll" cold-burst --storage "$storage" --hosts 3 --callers "$burst_callers" --rounds "$burst_rounds" \
  --out "$out/cold-burst.json" >"$out/cold-burst.log" 2>&1 \
  || { tail -40 "$out/cold-burst.log" >&2; fail "the cold burst failed; see $out/cold-burst.log"; }
grep -E '^ +(round|burst|table)' "$out/cold-burst.log" || true

echo "==> cold burst again, the authorization server answering after ${auth_delay_ms} ms (Entra-like)"
env DOTNET_gcServer=1 dotnet "$bench_dll" cold-burst --storage "$storage" --hosts 3 --callers "$burst_callers" --rounds "$burst_rounds" \
  --auth-delay-ms "$auth_delay_ms" --out "$out/cold-burst-slow.json" >"$out/cold-burst-slow.log" 2>&1 \
  || { tail -40 "$out/cold-burst-slow.log" >&2; fail "the slow-server cold burst failed; see $out/cold-burst-slow.log"; }
grep -E '^ +(round|burst|table)' "$out/cold-burst-slow.log" || true

fleet_args=()
if ((fleet_connections > 0)); then
  echo "==> fleet cost: $fleet_connections connections on $fleet_instances instance(s), 10 simulated minutes each"
  dotnet "$bench_dll" fleet-cost --storage "$storage" --connections "$fleet_connections" --instances "$fleet_instances" \
    --out "$out/fleet-cost.json" >"$out/fleet-cost.log" 2>&1 \
    || { tail -40 "$out/fleet-cost.log" >&2; fail "the fleet cost failed; see $out/fleet-cost.log"; }
  grep -E '^( +|==>)' "$out/fleet-cost.log" || true
  fleet_args=(--fleet-cost "$out/fleet-cost.json")
fi

# --- 17.2: a new instance's time to first token --------------------------------------------------------------------------
# New processes, one at a time, each asked for a token a host in the benchmark's process put in a fresh table. Not pinned:
# start-up uses every core it gets (the JIT compiles in the background), and the bare app gets the same.
echo "==> time to first token: bare app, bare worker, host (JIT, ReadyToRun, container) and Functions worker (JIT, ReadyToRun), $startup_rounds rounds"
trace_args=()
[[ "$startup_trace" == 1 ]] && trace_args=(--trace-dir "$out/startup-traces")
dotnet "$bench_dll" startup --storage "$storage" --rounds "$startup_rounds" --out "$out/startup.json" \
  --host "$out/publish/Host-jit" --host-r2r "$out/publish/Host-r2r" --host-container "$out/publish/Host-container" \
  --worker "$out/publish/Functions-jit" --worker-r2r "$out/publish/Functions-r2r" \
  --bare-worker "$out/publish/BareWorker-r2r" "${trace_args[@]}" >"$out/startup.log" 2>&1 \
  || { tail -40 "$out/startup.log" >&2; fail "the time-to-first-token measurement failed; see $out/startup.log"; }
grep -E '^(==>|      )' "$out/startup.log" || true
rm -rf "$out/publish"

echo "==> report"
report_status=0
dotnet "$bench_dll" report --in-process "$out/in-process.json" --wrk "$out/wrk" --allocations "$out/allocations" \
  --cold-burst "$out/cold-burst.json" --cold-burst-slow "$out/cold-burst-slow.json" "${fleet_args[@]}" --startup "$out/startup.json" --out "$out/summary.json" \
  || report_status=$?
echo "Run time: $((SECONDS - started)) s. Logs, wrk output and summary.json in $out"
exit "$report_status"
