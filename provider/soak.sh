#!/usr/bin/env bash
# A bounded soak of the provider (issue 7), not part of .ci/run: 8 threads of mixed operations on
# 3 local memcached nodes (started and stopped here, on free loopback ports) while CacheManagers are
# opened and closed alongside. Prints operations, errors and the heap after full GC every 30 s;
# exits 1 on errors, heap growth, or threads or server connections left behind.
#
#   bash provider/soak.sh            # 5 minutes
#   SOAK_MINUTES=1 bash provider/soak.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if ! command -v memcached >/dev/null 2>&1 && [ ! -x /usr/bin/memcached ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q memcached
fi
./mvnw -q -B -ntp -pl provider -am install -DskipTests -Dtck.skip=true
./mvnw -q -B -ntp -pl provider test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/soak.classpath -Dmdep.includeScope=test
classpath="provider/target/test-classes:provider/target/classes:$(cat provider/target/soak.classpath)"
exec java -Xms256m -Xmx256m -cp "$classpath" io.memjcache.soak.Soak "${SOAK_MINUTES:-5}"
