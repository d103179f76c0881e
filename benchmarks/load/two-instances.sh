#!/usr/bin/env bash
# Decide through one rules-server instance vs through two of one deployment (same topics, same
# signal-engine application), on one broker, with wrk, in each signals mode. The 64 users of
# decide.lua get stored signals first, so every decide reads a user's state (in partitioned mode,
# from the other instance for the users it owns). Prints per mode:
#   RESULT mode=global one_rps=... one_p99_ms=... two_rps=... two_p99_ms=... ratio=...   (ratio = two/one)
#   benchmarks/load/two-instances.sh            defaults: 8 connections in all, 20 s, 30 s warm-up
#   MODES=partitioned CONNECTIONS=16 DURATION=30s benchmarks/load/two-instances.sh
# On a 2-core machine two instances share the same cores: the figure shows what a second instance
# costs (and, in partitioned mode, the lookup over HTTP), not a speed-up.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/benchmarks/load"
CONNECTIONS="${CONNECTIONS:-8}" DURATION="${DURATION:-20s}" WARMUP="${WARMUP:-30s}" PORT="${PORT:-18280}" MODES="${MODES:-global partitioned}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk..."
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
JAR="$ROOT/rules-server/target/kairos-rules-server-0.1.0-SNAPSHOT.jar"
KAFKA_JAR="$ROOT/kafka-local/target/kairos-kafka-local-0.1.0-SNAPSHOT.jar"
[ -f "$JAR" ] && [ -f "$KAFKA_JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests -pl kafka-local,rules-server -am package)

DATA="$(mktemp -d)"
KAFKA_PORT="${KAFKA_PORT:-$((PORT + 12))}"
java -jar "$KAFKA_JAR" --data "$DATA/kafka" --port "$KAFKA_PORT" --controller-port "$((KAFKA_PORT + 1))" > "$DATA/kafka.log" 2>&1 &
BROKER=$!
PIDS=()
stop_servers() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_servers
  kill $BROKER 2>/dev/null || true; wait $BROKER 2>/dev/null || true
  pkill -f "$DATA/kafka" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT
for _ in $(seq 1 180); do grep -q "kafka ready" "$DATA/kafka.log" 2>/dev/null && break; sleep 0.5; done
export KAIROS_BENCH_KEY="wk_bench_$$"

start_server() { # mode, instance number, port
  local dir="$DATA/$1-$2"
  mkdir -p "$dir"
  KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" KAIROS_WRITE_KEYS="$KAIROS_BENCH_KEY" KAIROS_ADMIN_KEY="ak_bench_$$" \
  KAIROS_DATA_DIR="$dir" KAIROS_RULES_PORT="$3" KAIROS_SIGNALS_MODE="$1" KAIROS_STREAMS_APPLICATION_ID="bench-$1" \
  KAIROS_TOPICS_EVENTS="bench-$1.events" KAIROS_TOPICS_SIGNALS="bench-$1.signals" KAIROS_TOPICS_OUTCOMES="bench-$1.outcomes" \
  KAIROS_TOPIC_RULES="bench-$1.rules" KAIROS_TOPIC_DECISIONS="bench-$1.decisions" \
    java ${KAIROS_JAVA_OPTS:--Xms512m -Xmx512m} -jar "$JAR" > "$dir/server.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$3/health" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "instance $2 ($1) did not become healthy; see $dir/server.log" >&2
  return 1
}

ms() { # wrk latency (e.g. 950.00us, 1.20ms, 1.01s) in milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

wrk_decide() { # connections, duration, port, output file
  wrk -t1 -c"$1" -d"$2" --latency -s "$HERE/decide.lua" "http://127.0.0.1:$3/v1/decide" > "$4"
}

summary() { # wrk outputs...: total req/s and the worst p99, in ms
  local rps=0 p99=0 f r p errors=0 e
  for f in "$@"; do
    r=$(awk '/Requests\/sec/ {print $2}' "$f"); p=$(ms "$(awk '$1=="99%" {print $2}' "$f")")
    e=$(awk '/Non-2xx/ {print $5}' "$f"); errors=$((errors + ${e:-0}))
    rps=$(awk -v a="$rps" -v b="$r" 'BEGIN {printf "%.0f", a + b}')
    p99=$(awk -v a="$p99" -v b="$p" 'BEGIN {print (b > a) ? b : a}')
  done
  echo "$rps $p99 $errors"
}

echo "two instances vs one: wrk, $CONNECTIONS connections in all, $DURATION per run, $(nproc) cores"
for MODE in $MODES; do
  A=$PORT B=$((PORT + 100))
  start_server "$MODE" 1 "$A"
  # The 64 users of decide.lua: three product views each, so every decide reads stored signals.
  for i in $(seq 0 63); do
    batch=""
    for _ in 1 2 3; do
      batch="$batch$(printf '{"eventId":"%s","type":"product_view","userId":"u%d","sessionId":"s","properties":{"productId":"p","category":"shoes"}},' \
        "$(cat /proc/sys/kernel/random/uuid)" "$i")"
    done
    curl -fs -o /dev/null -H "Authorization: Bearer $KAIROS_BENCH_KEY" -H "Content-Type: application/json" \
      -d "{\"batch\":[${batch%,}]}" "http://127.0.0.1:$A/v1/events"
  done
  wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -s "$HERE/decide.lua" "http://127.0.0.1:$A/v1/decide" >/dev/null
  wrk_decide "$CONNECTIONS" "$DURATION" "$A" "$DATA/one.out"
  read -r ONE_RPS ONE_P99 ONE_ERR < <(summary "$DATA/one.out")
  start_server "$MODE" 2 "$B"
  # Wait until the second instance owns partitions (its signals answer for some user as owner).
  for _ in $(seq 1 120); do
    curl -fs -H "Authorization: Bearer ak_bench_$$" "http://127.0.0.1:$B/v1/users/u1/signals" 2>/dev/null | grep -q "\"owner\":\"127.0.0.1:$B\"" && break
    curl -fs -H "Authorization: Bearer ak_bench_$$" "http://127.0.0.1:$B/v1/users/u2/signals" 2>/dev/null | grep -q "\"owner\":\"127.0.0.1:$B\"" && break
    sleep 0.5
  done
  wrk -t1 -c"$((CONNECTIONS / 2))" -d"$WARMUP" -s "$HERE/decide.lua" "http://127.0.0.1:$B/v1/decide" >/dev/null
  wrk_decide "$((CONNECTIONS / 2))" "$DURATION" "$A" "$DATA/two-a.out" &
  WA=$!
  wrk_decide "$((CONNECTIONS / 2))" "$DURATION" "$B" "$DATA/two-b.out"
  wait $WA
  read -r TWO_RPS TWO_P99 TWO_ERR < <(summary "$DATA/two-a.out" "$DATA/two-b.out")
  printf '%-12s one instance  %8s req/s  p99 %7s ms  non-2xx %s\n' "$MODE" "$ONE_RPS" "$ONE_P99" "$ONE_ERR"
  printf '%-12s two instances %8s req/s  p99 %7s ms  non-2xx %s\n' "$MODE" "$TWO_RPS" "$TWO_P99" "$TWO_ERR"
  curl -fs "http://127.0.0.1:$A/prometheus" | grep '^kairos_signals_lookups_total' | sed 's/^/  instance A /' || true
  # Mean time per decide stage on instance A over the whole run (both phases), server side.
  curl -fs "http://127.0.0.1:$A/prometheus" | awk '/^kairos_decide_stage_seconds_(sum|count)/ {
      match($0, /stage="[a-z]+"/); st = substr($0, RSTART + 7, RLENGTH - 8)
      if ($0 ~ /_sum/) sum[st] = $NF; else cnt[st] = $NF }
    END { for (s in sum) if (cnt[s] > 0) printf "  instance A stage %-10s mean %.3f ms\n", s, sum[s] / cnt[s] * 1000 }' | sort || true
  awk -v m="$MODE" -v o="$ONE_RPS" -v op="$ONE_P99" -v t="$TWO_RPS" -v tp="$TWO_P99" \
    'BEGIN {printf "RESULT mode=%s one_rps=%s one_p99_ms=%s two_rps=%s two_p99_ms=%s ratio=%.2f\n", m, o, op, t, tp, t / o}'
  stop_servers
done
