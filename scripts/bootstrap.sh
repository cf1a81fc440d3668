# Shared by ./run and ./test: make .venv, install the pinned dependencies, migrate.
# Idempotent: each step is skipped when already done, and each step says what it does.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  say "创建虚拟环境 .venv (creating .venv with $($PYTHON --version))"
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the lock file changed since the last successful install.
stamp=.venv/.dangjian-installed
want="$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "安装依赖 (installing pinned dependencies from requirements.lock)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.lock
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e . 2>/dev/null \
    || .venv/bin/python -m pip install --quiet --no-deps -e .
  echo "$want" > "$stamp"
else
  say "依赖已是最新 (dependencies up to date)"
fi
export PATH="$ROOT/.venv/bin:$PATH"
