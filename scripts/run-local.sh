#!/usr/bin/env bash
# Runs the broker locally, end to end: Azurite (Table Storage), the development authorization server (OpenIddict, with a
# demo client), and the broker's standalone host on http://127.0.0.1:7071. Ctrl+C stops everything this script started.
#
#   --with-rotation  the demo secret lives in a development Key Vault served by the authorization server (HTTPS on
#                    127.0.0.1:7443) and the broker reaches it and Graph with a development managed identity, so
#                    automatic rotation of the demo connection can be watched (see README, "Watch a rotation").
set -euo pipefail

rotation=false
for arg in "$@"; do
  case "$arg" in
    --with-rotation) rotation=true ;;
    *) echo "usage: $0 [--with-rotation]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
root="$(pwd)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

broker_url="http://127.0.0.1:7071"
auth_url="http://127.0.0.1:7080"
vault_url="https://127.0.0.1:7443"
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

ports=(7071 7080)
if $rotation; then ports+=(7443); fi
for port in "${ports[@]}"; do
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

secrets="$state/secrets.json"
# The demo secret and the token cache key (32 random bytes, made once per checkout: tokens in Azurite are sealed with
# it) live in a watched file, so a rotation can be rehearsed by editing it while the broker runs. With --with-rotation
# they seed the development vault instead, with the local admin key of the /api/ops endpoints.
node -e '
  const fs = require("fs"), crypto = require("crypto"), file = process.argv[1];
  const secrets = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  secrets["demo-client-secret"] ??= "demo-secret-change-me";
  secrets["token-cache-key"] ??= crypto.randomBytes(32).toString("base64");
  secrets["broker-admin-key"] ??= crypto.randomBytes(24).toString("hex");
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
' "$secrets"

broker_env=()
auth_args=(--urls "$auth_url")
if $rotation; then
  # The identity header is the broker's IDENTITY_HEADER, made per run; the vault's TLS certificate is made at each start.
  identity_header="$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')"
  auth_args=(--urls "$auth_url;$vault_url" --vault
    --DevAuthorizationServer:Vault:CertificatePath="$state/vault-tls.pem"
    --DevAuthorizationServer:Vault:IdentityHeader="$identity_header"
    --DevAuthorizationServer:Vault:SeedFile="$secrets")
  broker_env=(SSL_CERT_FILE="$state/vault-tls.pem" IDENTITY_ENDPOINT="$auth_url/msi/token" IDENTITY_HEADER="$identity_header")
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    line="${line//'${AUTH_URL}'/$auth_url}"
    broker_env+=("${line//'${VAULT_URL}'/$vault_url}")
  done <scripts/rotation-demo.env
else
  broker_env=(TokenBroker__LocalSecretsFile="$secrets")
fi

echo "==> starting the development authorization server on $auth_url"
setsid dotnet run --no-build --project tools/TokenBroker.DevAuthorizationServer -- "${auth_args[@]}" >"$state/authorization-server.log" 2>&1 &
pids+=($!)
wait_for "$auth_url/.well-known/openid-configuration" authorization-server "${pids[-1]}"

echo "==> starting the broker on $broker_url"
ASPNETCORE_ENVIRONMENT=Development \
TokenBroker__Connections__demo__TokenEndpoint="$auth_url/connect/token" \
TokenBroker__Connections__demo__ClientId="demo-client" \
TokenBroker__Connections__demo__SecretName="demo-client-secret" \
TokenBroker__Connections__demo__Scopes="api.read" \
TokenBroker__Connections__demo__AllowedScopes="api.read api.write" \
TokenBroker__TokenCache__ConnectionString="UseDevelopmentStorage=true" \
  env "${broker_env[@]}" setsid dotnet run --no-build --project src/TokenBroker.Host -- --urls "$broker_url" >"$state/broker.log" 2>&1 &
pids+=($!)
wait_for "$broker_url/api/health" broker "${pids[-1]}"

cat <<MSG

TokenBroker is running on $broker_url (logs in .local/*.log). Try:

  curl -s -X POST $broker_url/api/token/demo
  curl -s -X POST $broker_url/api/token/demo -H 'Content-Type: application/json' -d '{"scope":"api.write"}'

MSG
if $rotation; then
  cat <<MSG
The demo secret is in the development vault ($vault_url) and rotates automatically. Watch a rotation:

  key=\$(node -p 'require("./.local/secrets.json")["broker-admin-key"]')
  curl -s -X POST $broker_url/api/ops/connections/demo/rotate -H "x-tokenbroker-admin-key: \$key"
  curl -s $broker_url/api/ops/connections -H "x-tokenbroker-admin-key: \$key"

Press Ctrl+C to stop everything.
MSG
else
  echo "Rotate the demo secret by editing .local/secrets.json. Press Ctrl+C to stop everything."
fi

wait -n "${pids[@]}" || true
echo "error: a process exited unexpectedly; see .local/*.log" >&2
exit 1
