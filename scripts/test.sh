#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what the tests need
# (Debian packages for the real servers, npm packages), builds, lints and runs
# unit, golden and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v victoria-metrics >/dev/null || need_pkgs+=(victoria-metrics)
command -v prometheus >/dev/null || need_pkgs+=(prometheus)
command -v promtool >/dev/null || need_pkgs+=(prometheus)
command -v chromium >/dev/null || need_pkgs+=(chromium)
command -v prometheus-node-exporter >/dev/null || need_pkgs+=(prometheus-node-exporter)
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v python3 >/dev/null || need_pkgs+=(python3)
# The reference OpenMetrics parser (promtool 2.42 reads only the text format): Debian's python3-prometheus-client.
/usr/bin/python3 -c 'import prometheus_client.openmetrics.parser' 2>/dev/null || need_pkgs+=(python3-prometheus-client)
# kubectl (with its built-in kustomize) ships with this machine image; it is not in Debian's archive.
command -v kubectl >/dev/null || echo "warning: kubectl not found: the deployment test will fail (install kubectl >= 1.14)" >&2
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing ${need_pkgs[*]}: run 'sudo apt-get update && sudo apt-get install -y ${need_pkgs[*]}'" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm test
