#!/usr/bin/env bash
# The test command of the README: installs the Python tools the tests drive (into .venv/,
# no root needed), puts them on PATH, lints with clippy, and runs the whole workspace's tests.
# Tests that need a tool which cannot run here (nft and network namespaces need root)
# print why they skip; with CI=true a missing tool is a failure instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup-tools.sh
export PATH="$root/.venv/tools/bin:$root/.venv/checkov/bin:$PATH"
export CLOUDWALL_TOOLS_PYTHON="$root/.venv/tools/bin/python"
cargo build --workspace --all-targets
# Lints are part of the test: the workspace's lint table, warnings as errors.
if cargo clippy -V >/dev/null 2>&1; then
  cargo clippy --workspace --all-targets --quiet -- -D warnings
else
  echo "SKIP clippy: the clippy component is not installed (rustup component add clippy)" >&2
fi
cargo test --workspace --no-fail-fast "$@"
