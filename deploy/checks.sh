# Printing and recording checks, for deploy/verify.sh and deploy/stack/verify-stack.sh (sourced;
# bash). The caller sets FAILURES=() first.

log() { printf '\n== %s\n' "$*"; }
pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; FAILURES+=("$1"); }
# check NAME COMMAND...: run a check, record its result.
check() {
    local name="$1"
    shift
    if "$@"; then pass "$name"; else fail "$name"; return 1; fi
}
# finish WHAT: list the failed checks and exit 1, or say that every WHAT check passed.
finish() {
    if [ "${#FAILURES[@]}" -gt 0 ]; then
        printf 'FAILED: %s\n' "${FAILURES[@]}"
        exit 1
    fi
    echo "all $1 checks passed"
}
