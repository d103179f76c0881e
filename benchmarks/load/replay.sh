#!/usr/bin/env bash
# Replay speed: writes N recorded decisions (facts + what was shown + outcomes, as GET /v1/replay-log
# exports them) and times ./kairos rules replay of a candidate pack on them (compile included).
#   benchmarks/load/replay.sh [--decisions 1000000]
# Last line: RESULT replay_decisions=N seconds=S decisions_per_s=R target_seconds=60 cores=C
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
mvn -B -q -DskipTests -pl rules,benchmarks -am install
mvn -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx1g -cp "$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")" dev.kairos.bench.ReplayBench "$@"
