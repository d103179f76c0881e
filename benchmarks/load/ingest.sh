#!/usr/bin/env bash
# Ingest benchmark: POST /v1/events (batches of 100) vs a raw Kafka producer on the same broker, and
# the delay until an event is visible in /v1/decide, and the signal engine's fold rate (during the load, draining
# the backlog, and alone). Starts its own broker and rules-server. Last line:
#   RESULT ingest_eps=... producer_eps=... ratio=... fold_eps=... visible_p99_ms=...
#   benchmarks/load/ingest.sh [--seconds 20] [--clients 4] [--samples 200] [--signals-mode global|partitioned] [--visible-under-eps 10000]
#   benchmarks/load/ingest.sh --fold-only true [--users 10000]  (the signal engine alone: 900k events of warm-up, then 600k timed, over --users users; RESULT fold_eps=...)
#   benchmarks/load/ingest.sh --visibility-only true [--warmup-seconds 5]  (visibility alone, idle and under the steady load; RESULT visible_p99_ms=... visible_under_load_p99_ms=...)
#      [--settle-probes N]: first N probes under the load not recorded (the loaded paths compiled; 0 by default)
#   --engine false: ingest and the raw producer only, the server an ingest-only instance (KAIROS_ROLE=ingest, its signal engine not started: ingest's own ceiling; RESULT ingest_eps=... producer_eps=... ratio=... engine=off)
#   --load wrk: the batches come from wrk (benchmarks/load/ingest.lua, one thread, --clients connections; the CPU the server, wrk and the
#      whole machine used during the run is printed) instead of this
#      harness's Java HTTP clients, which take half a core at 140k events/s; installs wrk from Debian when missing
#   SHOW_METRICS=<regex> (environment): after the loaded visibility phase, print the server's /prometheus lines matching it (e.g. commit_latency)
#   --keep true leaves the broker's and the server's data (and server.log) in the temporary folder it prints; by default it is deleted
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if [[ " $* " == *" --load wrk "* ]] && ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk..."
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
mvn -B -q -DskipTests -pl kafka-local,rules-server,benchmarks -am install
mvn -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx512m -Dkairos.kafka.lib="$ROOT/kafka-local/target/broker-lib" -cp "$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")" dev.kairos.bench.IngestLoad "$@"
