#!/usr/bin/env bash
# The main job: the plain JCache sample against a local 3-node memcached cluster that it starts
# and stops itself. Installs memcached with apt-get first when it is missing; only a JDK 17+ is
# needed besides (mvnw fetches Maven).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash .ci/ensure-packages memcached
exec ./mvnw -q -B -Pdemo -pl samples/plain -am verify -DskipTests
