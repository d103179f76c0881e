#!/usr/bin/env bash
# Feedback benchmark: outcomes stored per second through the real store (H2 file by default), a KPI
# query, and the time of one recalibration over everything stored (published to a local broker).
#   benchmarks/load/feedback.sh [--outcomes 1000000] [--db jdbc:postgresql://host/db --user u --password p]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx2g -Dkairos.kafka.lib="$ROOT/kafka-local/target/broker-lib" \
  -cp "$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")" dev.kairos.bench.FeedbackLoad "$@"
