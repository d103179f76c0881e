#!/usr/bin/env bash
# HTTP load run of the rules server on loopback: GET /health (the HTTP floor) and POST /v1/decide
# at the same fixed concurrency, in one run, with wrk. Prints req/s and p50/p99 for both, the
# server-side p50/p99 of each decide stage (from the kairos.decide.stage histograms, measured run
# only), and last one machine-readable line:
#   RESULT health_rps=... decide_rps=... decide_p50_ms=... decide_p99_ms=... ratio=...   (ratio = decide/health)
#   benchmarks/load/run.sh                 defaults: 1 wrk thread, 8 connections, 20 s each
#   THREADS=2 CONNECTIONS=64 DURATION=30s WARMUP=60s benchmarks/load/run.sh
# Each endpoint is warmed up first (WARMUP, default 60 s): the server's JIT compiler needs about a
# minute under load before decide reaches its steady state (5 s of warm-up measured it at a third).
# Installs wrk from Debian when missing (needs root). Traffic goes to 127.0.0.1 only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/benchmarks/load"
THREADS="${THREADS:-1}" CONNECTIONS="${CONNECTIONS:-8}" DURATION="${DURATION:-20s}" WARMUP="${WARMUP:-60s}" PORT="${PORT:-18080}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk..."
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
JAR="$ROOT/rules-server/target/kairos-rules-server-0.1.0-SNAPSHOT.jar"
KAFKA_JAR="$ROOT/kafka-local/target/kairos-kafka-local-0.1.0-SNAPSHOT.jar"
[ -f "$JAR" ] && [ -f "$KAFKA_JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests -pl kafka-local,rules-server -am package)

DATA="$(mktemp -d)"
KAFKA_PORT="${KAFKA_PORT:-$((PORT + 12))}"
# The server needs Kafka (events, signals, decision log): a local single-node broker, as ./kairos start runs.
java -jar "$KAFKA_JAR" --data "$DATA/kafka" --port "$KAFKA_PORT" --controller-port "$((KAFKA_PORT + 1))" > "$DATA/kafka.log" 2>&1 &
BROKER=$!
SERVER=
cleanup() { # under set -e a failing `wait` would end the trap early: every step may fail
  kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true
  kill $BROKER 2>/dev/null || true; wait $BROKER 2>/dev/null || true
  pkill -f "$DATA/kafka" 2>/dev/null || true # the broker is a child JVM of the launcher; its command line names $DATA
  rm -rf "$DATA"
}
trap cleanup EXIT
for _ in $(seq 1 180); do grep -q "kafka ready" "$DATA/kafka.log" 2>/dev/null && break; sleep 0.5; done
export KAIROS_BENCH_KEY="wk_bench_$$"
KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" \
KAIROS_WRITE_KEYS="$KAIROS_BENCH_KEY" KAIROS_ADMIN_KEY="ak_bench_$$" KAIROS_DATA_DIR="$DATA" KAIROS_RULES_PORT="$PORT" \
  java ${KAIROS_JAVA_OPTS:--Xms384m -Xmx384m} -jar "$JAR" > "$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done

run() { # name, wrk args...
  local name=$1; shift
  [ "$WARMUP" = 0s ] || wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" >/dev/null      # warm-up
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-14s %12s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
  echo "$rps" > "$DATA/$name.rps"
  echo "$(ms "$p50") $(ms "$p99")" > "$DATA/$name.lat"
}

ms() { # wrk latency (e.g. 950.00us, 1.20ms, 1.01s) in milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

stages() { # prometheus text before, after: per-stage p50/p99 of the decide stage histograms between the two
  awk '
    FNR == 1 { file++ }
    /^kairos_decide_stage_seconds_bucket/ {
      match($0, /stage="[a-z]+"/); stage = substr($0, RSTART + 7, RLENGTH - 8)
      match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5)
      if (file == 1) before[stage "|" le] = $NF; else { n[stage "|" le] = $NF - before[stage "|" le]; les[stage] = les[stage] " " le; seen[stage] = 1 }
    }
    END {
      for (s in seen) {
        k = split(les[s], list, " "); total = n[s "|+Inf"]; if (total <= 0) continue
        p50 = ""; p99 = ""
        for (i = 1; i <= k; i++) { le = list[i]; if (le == "+Inf") continue
          c = n[s "|" le]; if (p50 == "" && c >= total * 0.5) p50 = le; if (p99 == "" && c >= total * 0.99) p99 = le }
        printf "  stage %-10s p50 <= %8.3f ms   p99 <= %8.3f ms   (%d samples)\n", s, p50 * 1000, p99 * 1000, total
      }
    }' "$1" "$2" | sort
}

echo "rules-server load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION on 127.0.0.1:$PORT ($(nproc) cores)"
run health "http://127.0.0.1:$PORT/health"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$HERE/decide.lua" "http://127.0.0.1:$PORT/v1/decide" >/dev/null
curl -fs "http://127.0.0.1:$PORT/prometheus" > "$DATA/stages.before"
# The server's resident memory, sampled every second while decide runs; the peak is reported.
( peak=0; for _ in $(seq 1 "${DURATION%s}"); do
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0); [ "${kb:-0}" -gt "$peak" ] && peak=$kb; sleep 1
  done; echo "$peak" > "$DATA/rss.kb" ) &
RSS_WATCH=$!
WARMUP=0s run decide -s "$HERE/decide.lua" "http://127.0.0.1:$PORT/v1/decide"
wait "$RSS_WATCH" 2>/dev/null || true
curl -fs "http://127.0.0.1:$PORT/prometheus" > "$DATA/stages.after"
awk -v kb="$(cat "$DATA/rss.kb" 2>/dev/null || echo 0)" 'BEGIN {printf "rules-server RSS under decide load: peak %.0f MB (heap %s)\n", kb / 1024, ENVIRON["KAIROS_JAVA_OPTS"] == "" ? "-Xms384m -Xmx384m, the default" : ENVIRON["KAIROS_JAVA_OPTS"]}'
echo "decide stages, server side (histogram bucket bounds):"
stages "$DATA/stages.before" "$DATA/stages.after"
awk -v h="$(cat "$DATA/health.rps")" -v d="$(cat "$DATA/decide.rps")" 'BEGIN {printf "decide/health throughput ratio: %.2f\n", d / h}'
read -r D50 D99 < "$DATA/decide.lat"
awk -v h="$(cat "$DATA/health.rps")" -v d="$(cat "$DATA/decide.rps")" -v p50="$D50" -v p99="$D99" \
  'BEGIN {printf "RESULT health_rps=%.0f decide_rps=%.0f decide_p50_ms=%s decide_p99_ms=%s ratio=%.2f\n", h, d, p50, p99, d / h}'
