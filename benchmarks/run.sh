#!/usr/bin/env bash
# Runs the Cairn vs Apache Flink benchmark suites (JMH), one JVM per module, then writes
# benchmarks/REPORT.md and benchmarks/charts/*.png from their JSON results. See benchmarks/README.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: benchmarks/run.sh [--quick | --full | --smoke] [--only <module>] [--out <dir>] [-- <JMH options>]

  --full            the sizes and iterations of the issue (default; hours on 2 cores)
  --quick           smaller state, -f 1 -wi 1 -i 3 -w 1s -r 1s: under 15 minutes on 2 cores
  --smoke           tiny state, -f 1 -wi 0 -i 1 -w 100ms -r 100ms: proves every benchmark runs
  --only <module>   run one module: cairn, flink-rocksdb or storage (repeatable)
  --out <dir>       where the JMH JSON and logs go (default: benchmarks/results)
  --help            this text
  -- <options>      passed to JMH as they are, e.g. -- 'ValueStateBenchmark'

Builds the modules first if a module's target/classes/META-INF/BenchmarkList or
target/classpath.txt is missing. Environment: CAIRN_BUILD_DIR selects another build folder
(default: target); CAIRN_BENCH_JAVA_OPTS adds options to the JMH JVMs (forks inherit them), e.g.
-Dcairn.bench.dir=/mnt/disk for where the storage suite writes, or -Djmh.ignoreLock=true.
USAGE
}

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
BUILD_DIR="${CAIRN_BUILD_DIR:-target}"
read -r -a java_opts <<< "${CAIRN_BENCH_JAVA_OPTS:-}"
ALL_MODULES=(cairn flink-rocksdb storage)

profile=full
out="$BENCH_DIR/results"
modules=()
extra=()
invocation="benchmarks/run.sh${*:+ $*}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) profile=quick ;;
    --full) profile=full ;;
    --smoke) profile=smoke ;;
    --only)
      [[ $# -ge 2 ]] || { echo "run.sh: --only needs a module name" >&2; exit 2; }
      case "$2" in
        cairn|flink-rocksdb|storage) modules+=("$2") ;;
        *) echo "run.sh: unknown module '$2' (use cairn, flink-rocksdb or storage)" >&2; exit 2 ;;
      esac
      shift ;;
    --out)
      [[ $# -ge 2 ]] || { echo "run.sh: --out needs a directory" >&2; exit 2; }
      out="$2"
      shift ;;
    --help|-h) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ ${#modules[@]} -gt 0 ]] || modules=("${ALL_MODULES[@]}")

mkdir -p "$out"
out="$(cd "$out" && pwd)"

case "$profile" in
  quick) jmh_flags=(-f 1 -wi 1 -i 3 -w 1s -r 1s) ;;
  smoke) jmh_flags=(-f 1 -wi 0 -i 1 -w 100ms -r 100ms) ;;
  full) jmh_flags=() ;;
esac

start=$(date +%s)

need_build=false
for m in "${ALL_MODULES[@]}"; do
  dir="$BENCH_DIR/$m/$BUILD_DIR"
  if [[ ! -f "$dir/classes/META-INF/BenchmarkList" || ! -f "$dir/classpath.txt" ]]; then
    need_build=true
  fi
done
report_dir="$BENCH_DIR/report/$BUILD_DIR"
[[ -f "$report_dir/classpath.txt" && -d "$report_dir/classes" ]] || need_build=true
if $need_build; then
  echo "== building the benchmark modules ($BUILD_DIR)"
  (cd "$ROOT" && mvn -B -q -DskipTests -Dcairn.buildDir="$BUILD_DIR" \
    -pl benchmarks/cairn,benchmarks/flink-rocksdb,benchmarks/storage,benchmarks/report -am package)
fi

failed=()
for m in "${modules[@]}"; do
  dir="$BENCH_DIR/$m/$BUILD_DIR"
  echo "== $m: profile $profile, results in $out/$m.json"
  # -jvmArgsPrepend, not -jvmArgsAppend: a command-line -jvmArgsAppend would replace each class's
  # @Fork(jvmArgsAppend = "-Xmx...") instead of adding to it.
  if ! java ${java_opts[@]+"${java_opts[@]}"} -cp "$dir/classes:$(cat "$dir/classpath.txt")" org.openjdk.jmh.Main \
      ${jmh_flags[@]+"${jmh_flags[@]}"} -jvmArgsPrepend "-Dcairn.bench.profile=$profile" \
      -rf json -rff "$out/$m.json" ${extra[@]+"${extra[@]}"} 2>&1 | tee "$out/$m.log"; then
    echo "== $m FAILED (see $out/$m.log); continuing with the other modules" >&2
    failed+=("$m")
  fi
done

echo "== report"
java -Djava.awt.headless=true -cp "$report_dir/classes:$(cat "$report_dir/classpath.txt")" \
  dev.cairn.benchmarks.report.ReportMain "$out" "$BENCH_DIR/REPORT.md" --command "$invocation"

elapsed=$(( $(date +%s) - start ))
printf '== total wall time: %dm %02ds\n' $((elapsed / 60)) $((elapsed % 60))
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "== failed modules: ${failed[*]}" >&2
  exit 1
fi
