#!/usr/bin/env bash
# What the Android SDK costs an app: the jars it brings, and DEX method references and size before
# (D8 of everything) and after R8 with the SDK's consumer rules and a sample app's use as the root.
# Prints the table (also written to sdk-android/target/footprint.md) and one RESULT line last.
# Needs the SDK modules installed (mvn -pl sdk-parent,sdk-java,android-test-support -am install -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -pl sdk-android verify -Dtest=ShrinkTest -Dgroups=footprint -Dsdk.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false >/dev/null
cat sdk-android/target/footprint.md
grep -h '^RESULT' sdk-android/target/surefire-reports/dev.kairos.android.shrink.ShrinkTest-output.txt | tail -1
