#!/usr/bin/env bash
# Runs the JMH benchmarks of the decision engine (Kairos vs Drools as commonly embedded vs Easy Rules).
#   benchmarks/run-jmh.sh                 all benchmarks, figures as in docs/benchmarks.md
#   benchmarks/run-jmh.sh DecideBenchmark -p rules=100     any JMH arguments
# Results: printed, and as JSON in benchmarks/target/jmh-result.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mvn -B -q -DskipTests -pl benchmarks -am install
mvn -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CP="$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")"
exec java -cp "$CP" org.openjdk.jmh.Main -rf json -rff "$ROOT/benchmarks/target/jmh-result.json" "$@"
