#!/usr/bin/env bash
# One-time Microsoft Graph grants for the broker's credential lifecycle (docs/deploy.md, "Graph access"):
#   1. the application permission Application.ReadWrite.OwnedBy for the broker's managed identity, and
#   2. the managed identity as an owner of each app registration whose credentials the broker rotates.
# Never Application.ReadWrite.All: with OwnedBy the broker can change only the applications it owns.
#
# Run it after `az login` as an administrator who may grant Microsoft Graph application permissions (Privileged Role
# Administrator or Global Administrator) and add owners to the applications. It changes only what is missing, so a second run changes nothing and says so. --dry-run
# reads the directory and prints what it would change, without changing it.
#
#   ./scripts/grant-graph-access.sh --principal-id <object id> --app <client id> [--app <client id>...] [--dry-run]
#
# --principal-id defaults to BROKER_IDENTITY_PRINCIPAL_ID (the deployment output; azd env get-values).
set -euo pipefail

# Microsoft Graph's own application id, the same in every tenant.
graph_app_id='00000003-0000-0000-c000-000000000000'
# App role ids from the Microsoft Graph permissions reference (https://learn.microsoft.com/graph/permissions-reference).
owned_by_role_id='18a4783c-866b-4cc7-a460-3d5e5662c884' # Application.ReadWrite.OwnedBy
owned_by_role_name='Application.ReadWrite.OwnedBy'
all_role_id='1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9' # Application.ReadWrite.All: only ever reported, never granted

usage() {
  echo "usage: grant-graph-access.sh --principal-id <object id> --app <client id> [--app <client id>...] [--graph-url <url>] [--dry-run]" >&2
  exit 2
}

principal_id="${BROKER_IDENTITY_PRINCIPAL_ID:-}"
graph_url='https://graph.microsoft.com'
dry_run=false
apps=()
while [ $# -gt 0 ]; do
  case "$1" in
    --principal-id) [ $# -ge 2 ] || usage; principal_id="$2"; shift 2 ;;
    --app) [ $# -ge 2 ] || usage; apps+=("$2"); shift 2 ;;
    --graph-url) [ $# -ge 2 ] || usage; graph_url="${2%/}"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage ;;
    *) echo "grant-graph-access: unknown argument '$1'" >&2; usage ;;
  esac
done

guid='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
if ! [[ "$principal_id" =~ $guid ]]; then
  echo "grant-graph-access: --principal-id must be the object id of the broker's managed identity (a GUID); got '${principal_id}'." >&2
  exit 2
fi
for app in "${apps[@]}"; do
  if ! [[ "$app" =~ $guid ]]; then
    echo "grant-graph-access: --app must be an application (client) id (a GUID); got '${app}'." >&2
    exit 2
  fi
done

graph="${graph_url}/v1.0"
changes=0

# Make a change, or in a dry run say what it would be.
change() {
  local description="$1"
  shift
  changes=$((changes + 1))
  if $dry_run; then
    echo "would: ${description}"
  else
    az "$@" --output none
    echo "done: ${description}"
  fi
}

# 1. The app role on Microsoft Graph's service principal, checked against the directory's own definition.
graph_sp="$(az rest --method get \
  --url "${graph}/servicePrincipals(appId='${graph_app_id}')" \
  --query "[id, appRoles[?id=='${owned_by_role_id}'].value | [0]]" --output tsv)"
read -r graph_sp_id role_value <<<"$graph_sp"
if [ "${role_value:-}" != "$owned_by_role_name" ]; then
  echo "grant-graph-access: Microsoft Graph's service principal has no app role ${owned_by_role_id} named ${owned_by_role_name} (found '${role_value:-}'); nothing changed." >&2
  exit 1
fi

held="$(az rest --method get \
  --url "${graph}/servicePrincipals/${principal_id}/appRoleAssignments" \
  --query "value[?resourceId=='${graph_sp_id}'].appRoleId" --output tsv)"
if grep -qix "$owned_by_role_id" <<<"$held"; then
  echo "ok: ${principal_id} already has ${owned_by_role_name} on Microsoft Graph"
else
  # Through the resource's appRoleAssignedTo, as Graph recommends for app role assignments.
  change "assign ${owned_by_role_name} on Microsoft Graph to ${principal_id}" \
    rest --method post --url "${graph}/servicePrincipals/${graph_sp_id}/appRoleAssignedTo" \
    --headers 'Content-Type=application/json' \
    --body "{\"principalId\":\"${principal_id}\",\"resourceId\":\"${graph_sp_id}\",\"appRoleId\":\"${owned_by_role_id}\"}"
fi
if grep -qix "$all_role_id" <<<"$held"; then
  echo "warning: ${principal_id} also holds Application.ReadWrite.All, which lets it change every application in the tenant; the broker does not need it. Remove it (docs/deploy.md, \"Graph access\")." >&2
fi

# 2. The managed identity as an owner of each application the broker rotates.
for app in "${apps[@]}"; do
  if ! application="$(az rest --method get \
    --url "${graph}/applications(appId='${app}')" \
    --query "[id, displayName]" --output tsv)" || [ -z "$application" ]; then
    echo "grant-graph-access: cannot read application ${app} (is the client id right, and may you read it?)." >&2
    exit 1
  fi
  read -r object_id display_name <<<"$application"
  owners="$(az rest --method get --url "${graph}/applications/${object_id}/owners" --query "value[].id" --output tsv)"
  if grep -qix "$principal_id" <<<"$owners"; then
    echo "ok: ${principal_id} already owns ${display_name:-$app} (${app})"
  else
    change "add ${principal_id} as an owner of ${display_name:-$app} (${app})" \
      rest --method post --url "${graph}/applications/${object_id}/owners/\$ref" \
      --headers 'Content-Type=application/json' \
      --body "{\"@odata.id\":\"${graph}/directoryObjects/${principal_id}\"}"
  fi
done

if [ "$changes" -eq 0 ]; then
  echo "Nothing to change: every grant is already in place."
elif $dry_run; then
  echo "Dry run: ${changes} change(s) would be made. Run again without --dry-run to make them."
else
  echo "Made ${changes} change(s). New permissions can take a few minutes to reach the broker's tokens."
fi
