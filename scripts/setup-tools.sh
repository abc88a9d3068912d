#!/usr/bin/env bash
# Installs the real tools the end-to-end tests drive into virtualenvs under .venv/:
#   .venv/tools    awscli, moto[server], python-hcl2, kubernetes-validate
#   .venv/checkov  checkov (its own venv: it pins boto3/botocore versions of its own)
# Idempotent: a venv whose marker file matches the requirement list is left alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON:-python3}"

make_venv() {
  local name="$1"; shift
  local dir="$root/.venv/$name" marker="$root/.venv/$name/.requirements"
  local want="$*"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$marker" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  echo "setup-tools: installing $want into .venv/$name" >&2
  rm -rf "$dir"
  "$py" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  # shellcheck disable=SC2068
  "$dir/bin/pip" install --quiet --disable-pip-version-check $@
  printf '%s' "$want" > "$marker"
}

make_venv tools "awscli" "moto[server]" "python-hcl2" "kubernetes-validate"
make_venv checkov "checkov"

# HashiCorp's HCL parser and formatter (Go, compiled to WebAssembly) for the Terraform checks.
npm_dir="$root/.venv/npm"
npm_want="@cdktf/hcl2json@0.21.0 @cdktf/hcl-tools@0.21.0"
if [ "$(cat "$npm_dir/.requirements" 2>/dev/null)" != "$npm_want" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "setup-tools: installing $npm_want into .venv/npm" >&2
    rm -rf "$npm_dir" && mkdir -p "$npm_dir"
    # shellcheck disable=SC2086
    (cd "$npm_dir" && npm install --silent --no-audit --no-fund --no-save $npm_want >/dev/null)
    printf '%s' "$npm_want" > "$npm_dir/.requirements"
  else
    echo "setup-tools: npm not found: the HCL parser checks will say so and skip" >&2
  fi
fi
