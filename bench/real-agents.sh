#!/usr/bin/env bash
# The real agent CLIs against a scripted model on loopback: installs Aider, Claude Code,
# Codex and Gemini CLI from their registries into a cache directory (outside the repo),
# then runs the opt-in tests (tests/real_agents.rs), one CLI at a time.
#
#   bench/real-agents.sh            # all four
#   bench/real-agents.sh aider      # one (aider, claude, codex, gemini); claude, codex
#                                   # and gemini also run their cost test (tests/real_cost.rs)
#   bench/real-agents.sh cost       # only the cost tests: usage per task as measured vs.
#                                   # as the model reported it (Claude Code, Codex, Gemini CLI)
#   bench/real-agents.sh --screens [CLI...]
#                                   # instead: capture each CLI's idle, busy, approval,
#                                   # error and rate-limit screens at widths 60/80/120/200
#                                   # into tests/fixtures/agents/screens (tests/real_screens.rs)
#
# TMUX_IDE_REAL_AGENTS_CACHE overrides the cache (default ~/.cache/tmux-ide-real-agents).
set -euo pipefail
cd "$(dirname "$0")/.."

# The versions tested (README "Real agents").
AIDER=0.86.2
CLAUDE=2.1.328
CODEX=0.171.0
GEMINI=0.61.0

CACHE="${TMUX_IDE_REAL_AGENTS_CACHE:-$HOME/.cache/tmux-ide-real-agents}"
export TMUX_IDE_REAL_AGENTS_CACHE="$CACHE"
mkdir -p "$CACHE"

npm_cli() { # npm_cli DIR PACKAGE VERSION BIN
  local dir="$CACHE/$1"
  if ! "$dir/node_modules/.bin/$4" --version 2>/dev/null | grep -qF "$3"; then
    echo "installing $2@$3 into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$2@$3"
  fi
}

install() {
  case "$1" in
    aider)
      if ! "$CACHE/aider-venv/bin/aider" --version 2>/dev/null | grep -qF "$AIDER"; then
        echo "installing aider-chat==$AIDER into $CACHE/aider-venv"
        python3 -m venv "$CACHE/aider-venv"
        "$CACHE/aider-venv/bin/pip" install --quiet "aider-chat==$AIDER"
      fi ;;
    claude) npm_cli claude @anthropic-ai/claude-code "$CLAUDE" claude ;;
    codex) npm_cli codex @openai/codex "$CODEX" codex ;;
    gemini) npm_cli gemini @google/gemini-cli "$GEMINI" gemini ;;
    *) echo "unknown CLI '$1': use aider, claude, codex, gemini or cost" >&2; exit 2 ;;
  esac
}

test_name() {
  if [ -n "$screens" ]; then
    case "$1" in
      aider) echo real_screens::capture_aider_screens ;;
      claude) echo real_screens::capture_claude_code_screens ;;
      codex) echo real_screens::capture_codex_screens ;;
      gemini) echo real_screens::capture_gemini_cli_screens ;;
    esac
    return
  fi
  case "$1" in
    aider) echo real_agents::aider_completes_a_mission_unattended ;;
    claude) echo real_agents::claude_code_completes_a_mission_unattended \
      real_cost::claude_code_usage_per_task_is_what_the_model_reported ;;
    codex) echo real_agents::codex_completes_a_mission_unattended \
      real_cost::codex_usage_per_task_is_what_the_model_reported ;;
    gemini) echo real_agents::gemini_cli_completes_a_mission_unattended \
      real_cost::gemini_cli_usage_per_task_is_what_the_model_reported ;;
  esac
}

screens=
if [ "${1:-}" = --screens ]; then screens=1; shift; fi
clis=("$@")
[ ${#clis[@]} -gt 0 ] || clis=(aider claude codex gemini)
if [ "${clis[*]}" = cost ]; then
  for cli in claude codex gemini; do install "$cli"; done
  exec cargo test --locked --test integration real_cost:: -- --ignored --test-threads=1
fi
for cli in "${clis[@]}"; do install "$cli"; done
# One CLI at a time: each starts three instances of itself.
for cli in "${clis[@]}"; do
  # shellcheck disable=SC2046 # one or two test names
  cargo test --locked --test integration -- $(test_name "$cli") --ignored --exact --test-threads=1
done
