#!/usr/bin/env bash
# Runs the broker locally, end to end: Azurite (Table Storage), the development authorization server (OpenIddict, with a
# demo client), and the broker's standalone host on http://127.0.0.1:7071. Ctrl+C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

broker_url="http://127.0.0.1:7071"
auth_url="http://127.0.0.1:7080"
state="$root/.local"
mkdir -p "$state/azurite"

# Each service runs in a session of its own (setsid), so Ctrl+C reaches this script alone: the services stop when the
# script stops them, never on their own, and a process that exits by itself really did exit unexpectedly.
pids=()
cleanup() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then
    echo "==> stopping ${#pids[@]} processes"
    for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
stop() {
  echo
  cleanup
  echo "==> stopped"
  exit 0
}
trap stop INT TERM
trap cleanup EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # url, name, pid
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then echo "error: $2 exited; see $state/$2.log" >&2; exit 1; fi
    sleep 0.5
  done
  echo "error: $2 did not answer at $1; see $state/$2.log" >&2
  exit 1
}

for port in 7071 7080; do
  if port_open "$port"; then echo "error: port $port is in use; stop whatever listens there first" >&2; exit 1; fi
done

if [[ ! -x node_modules/.bin/azurite || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "==> npm ci (Azurite)"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "==> dotnet build"
dotnet build src/TokenBroker.Host/TokenBroker.Host.csproj -nologo -clp:ErrorsOnly
dotnet build tools/TokenBroker.DevAuthorizationServer/TokenBroker.DevAuthorizationServer.csproj -nologo -clp:ErrorsOnly

if port_open 10002; then
  echo "==> Table Storage already listens on 10002 (Azurite?); using it"
else
  echo "==> starting Azurite (data in .local/azurite)"
  setsid node node_modules/azurite/dist/src/azurite.js --silent --disableTelemetry --skipApiVersionCheck \
    --location "$state/azurite" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >"$state/azurite.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 60); do port_open 10002 && break; sleep 0.5; done
  port_open 10002 || { echo "error: Azurite did not start; see $state/azurite.log" >&2; exit 1; }
fi

echo "==> starting the development authorization server on $auth_url"
setsid dotnet run --no-build --project tools/TokenBroker.DevAuthorizationServer -- --urls "$auth_url" >"$state/authorization-server.log" 2>&1 &
pids+=($!)
wait_for "$auth_url/.well-known/openid-configuration" authorization-server "${pids[-1]}"

secrets="$state/secrets.json"
# The demo secret and the token cache key (32 random bytes, made once per checkout: tokens in Azurite are sealed with
# it) live in a watched file, so a rotation can be rehearsed by editing it while the broker runs.
node -e '
  const fs = require("fs"), crypto = require("crypto"), file = process.argv[1];
  const secrets = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  secrets["demo-client-secret"] ??= "demo-secret-change-me";
  secrets["token-cache-key"] ??= crypto.randomBytes(32).toString("base64");
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
' "$secrets"

echo "==> starting the broker on $broker_url"
ASPNETCORE_ENVIRONMENT=Development \
TokenBroker__Connections__demo__TokenEndpoint="$auth_url/connect/token" \
TokenBroker__Connections__demo__ClientId="demo-client" \
TokenBroker__Connections__demo__SecretName="demo-client-secret" \
TokenBroker__Connections__demo__Scopes="api.read" \
TokenBroker__Connections__demo__AllowedScopes="api.read api.write" \
TokenBroker__LocalSecretsFile="$secrets" \
TokenBroker__TokenCache__ConnectionString="UseDevelopmentStorage=true" \
  setsid dotnet run --no-build --project src/TokenBroker.Host -- --urls "$broker_url" >"$state/broker.log" 2>&1 &
pids+=($!)
wait_for "$broker_url/api/health" broker "${pids[-1]}"

cat <<MSG

TokenBroker is running on $broker_url (logs in .local/*.log). Try:

  curl -s -X POST $broker_url/api/token/demo
  curl -s -X POST $broker_url/api/token/demo -H 'Content-Type: application/json' -d '{"scope":"api.write"}'

Rotate the demo secret by editing .local/secrets.json. Press Ctrl+C to stop everything.
MSG

wait -n "${pids[@]}" || true
echo "error: a process exited unexpectedly; see .local/*.log" >&2
exit 1
