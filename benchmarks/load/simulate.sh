#!/usr/bin/env bash
# Learning-loop simulations on the real platform (each starts and stops its own platforms):
#  1. weight recalibration: CTR per simulated week for static, recalibrated and oracle weights (LearningLoopSimulation);
#  2. the contextual bandit behind choose(...): static, bandit and oracle per week on a population whose preferences
#     depend on context and drift in week 3, plus a cheap-exploration placement (BanditSimulation). Its RESULT line is last.
#   benchmarks/load/simulate.sh [--weeks 4] [--users 1500]      both
#   benchmarks/load/simulate.sh --bandit [--weeks 4] [--users 2000] [--refits 8]   the bandit only
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
mvn -B -q -DskipTests -pl kafka-local,rules-server,feedback-service,benchmarks -am package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CP="$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")"
status=0
if [ "${1:-}" = "--bandit" ]; then
  shift
else
  java -Dkairos.root="$ROOT" -cp "$CP" dev.kairos.bench.LearningLoopSimulation "$@" || status=$?
  set -- --weeks "$(printf '%s\n' "$@" | awk 'prev=="--weeks"{print; exit} {prev=$0}' | grep . || echo 4)"
fi
java -Dkairos.root="$ROOT" -cp "$CP" dev.kairos.bench.BanditSimulation "$@" || status=$?
exit "$status"
