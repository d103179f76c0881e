#!/usr/bin/env bash
# State per user: loads N users (30 events each) into a real broker and rules-server, then prints the
# bytes per user of the signals record and of each RocksDB store, and a RESULT line.
#   benchmarks/load/state-size.sh [--users 20000]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
mvn -B -q -DskipTests -pl kafka-local,rules-server,benchmarks -am install
mvn -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx512m -Dkairos.kafka.lib="$ROOT/kafka-local/target/broker-lib" -cp "$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")" dev.kairos.bench.StateSize "$@"
