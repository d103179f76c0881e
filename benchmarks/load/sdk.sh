#!/usr/bin/env bash
# Java SDK benchmark: Kairos' SDK against Segment's analytics-java 3.5.4, same workload, same local
# collector, one run. Each SDK runs in its own child JVM (same -Xmx); prints one table.
#   benchmarks/load/sdk.sh                       defaults (about 2.5 minutes)
#   benchmarks/load/sdk.sh --events 200000 --rate 2000 --outage 40
# Options: --warmup --events --window (burst); --rate --seconds --outage-at --outage --grace (mid-run
# outage); --close-seconds --close-outage-at --close-grace (outage until the apps close); --recover
# (restarted Kairos app); --batch --interval --heap --kairos-queue --nodelay (both SDKs);
# --phases burst,mid,close; --child-opts "JVM options for the SDK JVMs" (%s = sdk-mode).
# SKIP_BUILD=1 reuses the last build. Figures and their reading: docs/benchmarks.md section 3.
# Traffic goes to 127.0.0.1 only; temporary files are removed at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CP_FILE="$ROOT/benchmarks/target/sdk-bench-classpath.txt"
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$CP_FILE" ]; then
  flock /tmp/kairos-mvn.lock mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
    -Dmdep.outputFile=target/sdk-bench-classpath.txt -Dmdep.includeScope=runtime
fi
exec java -Xmx512m -cp "$ROOT/benchmarks/target/classes:$(cat "$CP_FILE")" dev.kairos.bench.SdkVsSegment "$@"
