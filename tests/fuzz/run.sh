#!/usr/bin/env bash
# Runs the fuzz targets built in BUILD_DIR (tests/fuzz/CMakeLists.txt) for SECONDS each, one
# after the other, each a single libFuzzer process: on a scratch copy of its seed corpus
# tests/fuzz/corpus/<target>/ (so the repository's corpus is never written), with
# tests/fuzz/dict/<target>.dict when there is one. Prints one line per target from libFuzzer's
# final figures (runs, exec/s, cov, ft, corpus files before and after, peak RSS) and exits 1
# when any target crashed, leaked, ran out of memory or timed out on one input; the input is
# then in BUILD_DIR/fuzz-artifacts/<target>/ and the log in BUILD_DIR/fuzz-logs/<target>.log.
#
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]   (default: every fuzz_* built)
# FUZZ_KEEP_CORPUS=DIR copies each grown corpus to DIR/<target>/ before the scratch copy goes.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:?usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
if ((${#targets[@]} == 0)); then
  for binary in "$build"/tests/fuzz/fuzz_*; do
    [[ -x $binary ]] && targets+=("${binary##*/fuzz_}")
  done
fi
if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz_* targets in $build/tests/fuzz (build them first: make fuzz)" >&2
  exit 1
fi

logs=$build/fuzz-logs
artifacts=$build/fuzz-artifacts
mkdir -p "$logs"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# One value from libFuzzer's output: the last "key: value" of a DONE line or a stat:: line.
figure() { grep -oE "$2[: ]+[0-9]+" "$1" | tail -n 1 | grep -oE '[0-9]+$' || echo "?"; }

failed=()
printf '%-18s %-6s %11s %8s %6s %7s %15s %8s\n' target result runs exec/s cov ft "corpus" "rss MB"
for target in "${targets[@]}"; do
  binary=$build/tests/fuzz/fuzz_$target
  log=$logs/$target.log
  if [[ ! -x $binary ]]; then
    echo "fuzz: $binary is not built" >&2
    failed+=("$target")
    continue
  fi
  scratch=$build/fuzz-scratch/$target
  rm -rf "$scratch" "$artifacts/$target"
  mkdir -p "$scratch" "$artifacts/$target"
  if [[ -d tests/fuzz/corpus/$target ]]; then cp tests/fuzz/corpus/"$target"/* "$scratch"/ 2>/dev/null || true; fi
  seeds=$(find "$scratch" -type f | wc -l)
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$artifacts/$target/")
  [[ -f tests/fuzz/dict/$target.dict ]] && options+=(-dict="tests/fuzz/dict/$target.dict")
  status=0
  "$binary" "${options[@]}" "$scratch" >"$log" 2>&1 || status=$?
  result=ok
  if ((status != 0)); then
    result=FAIL
    failed+=("$target")
  fi
  final=$(find "$scratch" -type f | wc -l)
  printf '%-18s %-6s %11s %8s %6s %7s %15s %8s\n' "$target" "$result" "$(figure "$log" 'stat::number_of_executed_units')" \
    "$(figure "$log" 'stat::average_exec_per_sec')" "$(figure "$log" 'cov')" "$(figure "$log" 'ft')" \
    "$seeds -> $final" "$(figure "$log" 'stat::peak_rss_mb')"
  if [[ -n ${FUZZ_KEEP_CORPUS:-} ]]; then
    rm -rf "${FUZZ_KEEP_CORPUS:?}/$target" && mkdir -p "$FUZZ_KEEP_CORPUS/$target" && cp "$scratch"/* "$FUZZ_KEEP_CORPUS/$target"/ 2>/dev/null || true
  fi
  rm -rf "$scratch"
  if [[ $result == FAIL ]]; then
    echo "---- $target exited $status; the end of $log:"
    grep -E 'ERROR|SUMMARY|runtime error|fuzz property|Test unit written|uncaught' "$log" | head -n 20 || true
    tail -n 5 "$log"
    echo "----"
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $artifacts/<target>/, logs in $logs/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, no crash, leak or timeout"
