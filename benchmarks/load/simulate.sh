#!/usr/bin/env bash
# Learning-loop simulation on the real platform: CTR per simulated week for static, recalibrated
# and oracle weights (see LearningLoopSimulation). Starts and stops its own platforms.
#   benchmarks/load/simulate.sh [--weeks 4] [--users 1500]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
mvn -B -q -DskipTests -pl kafka-local,rules-server,feedback-service,benchmarks -am package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Dkairos.root="$ROOT" -cp "$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")" \
  dev.kairos.bench.LearningLoopSimulation "$@"
