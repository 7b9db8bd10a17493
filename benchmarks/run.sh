#!/usr/bin/env bash
# MemJCache benchmarks, end to end, in one launch:
#   1. installs memcached and redis-server with apt-get when missing (as .ci/run installs memcached),
#   2. installs the provider into ~/.m2 and builds benchmarks/target/benchmarks.jar,
#   3. starts its own servers on free 127.0.0.1 ports, pinned to CPU 1: memcached nodes (-t 1) for
#      the 1-node and 3-node clusters, one redis-server, one Hazelcast member (its own JVM, from
#      the benchmarks jar), and two fresh memcached nodes for the bytes-per-entry measurement,
#   4. runs every JMH benchmark pinned to CPU 0, at 1 and 16 threads, in one JVM launch (JMH forks
#      inherit the pinning), with -prof gc, into results.json; REPEAT=N runs N such launches
#      (results-1.json … results-N.json) and the table gives each ratio's median over them,
#   5. measures bytes stored per entry (MemJCache vs raw xmemcached) into bytes.json,
#   6. prints the table of ratios with PASS/MISS against the targets (table.md),
# and stops every server it started, whatever happens.
#
# Environment:
#   QUICK=1         a smoke test: tiny iterations (the figures mean nothing)
#   WI, W, I, R, F  JMH warm-up iterations / time, measurement iterations / time, forks
#                   (default 8, 1s, 5, 1s, 1; QUICK=1: 1, 200ms, 2, 200ms, 1). The warm-up is long
#                   because 16 busy threads share CPU 0 with the JIT's compiler threads; as root the
#                   compiler threads also run at nice -15 (-XX:ThreadPriorityPolicy=1). report.py
#                   lists any run whose measurement iterations still rose (not at steady state).
#   THREADS         thread counts, comma-separated (default 1,16)
#   OUT             where results go (default benchmarks/results)
#   JMH_ARGS        extra JMH arguments, e.g. JMH_ARGS='-p size=100 RemoteOps.get'
#   NO_PIN=1        do not pin with taskset (only for machines with fewer than 2 CPUs)
#   JAVA_HOME       the JDK that builds and runs everything (default: java on the PATH); the
#                   ThreadKinds benchmark (virtual vs platform threads) needs 21+ and is left out
#                   on an older JDK, e.g. JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
#   REPEAT          number of launches (default 1); ratios are compared within a launch, and the
#                   table reports the median per cell over the launches
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"

out="${OUT:-$here/results}"
mkdir -p "$out"
if [ "${QUICK:-0}" = "1" ]; then
  wi="${WI:-1}"; w="${W:-200ms}"; i="${I:-2}"; r="${R:-200ms}"; f="${F:-1}"
else
  wi="${WI:-8}"; w="${W:-1s}"; i="${I:-5}"; r="${R:-1s}"; f="${F:-1}"
fi
threads="${THREADS:-1,16}"
repeat="${REPEAT:-1}"
if ! [[ "$repeat" =~ ^[1-9][0-9]*$ ]]; then
  echo "REPEAT must be a positive integer, not '$repeat'" >&2
  exit 1
fi

# ---------------------------------------------------------------- tools
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
missing=()
[ -x "$(command -v memcached || true)" ] || missing+=(memcached)
[ -x "$(command -v redis-server || true)" ] || missing+=(redis-server)
[ -x "$(command -v taskset || true)" ] || missing+=(util-linux)
[ -x "$(command -v python3 || true)" ] || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} with apt-get"
  if [ -n "$sudo" ] && ! command -v sudo >/dev/null 2>&1; then
    echo "not root and no sudo: run 'apt-get install -y ${missing[*]}' as root" >&2
    exit 1
  fi
  # The packages may also start system services (memcached on 11211, redis on 6379). They are
  # left alone: the benchmarks use only the servers started below, on free ports.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
memcached -V
redis-server --version
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
java_feature="$("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/^ *java.specification.version = /{print $2}')"
"$java" -version 2>&1 | head -1
# Virtual threads are Java 21+: on an older JDK the ThreadKinds benchmark would fail its setup.
without_vthreads=()
if [ "${java_feature%%.*}" -lt 21 ] 2>/dev/null; then
  echo "Java $java_feature: ThreadKinds (virtual vs platform threads) left out; set JAVA_HOME to a JDK 21+ to run it"
  without_vthreads=(-e ThreadKinds)
fi

cpus="$(nproc)"
if [ "${NO_PIN:-0}" != "1" ] && [ "$cpus" -lt 2 ]; then
  echo "this machine has $cpus CPU: pinning needs 2 (set NO_PIN=1 to run unpinned)" >&2
  exit 1
fi
pin_client=(); pin_server=()
if [ "${NO_PIN:-0}" != "1" ]; then
  pin_client=(taskset -c 0); pin_server=(taskset -c 1)
fi

# ---------------------------------------------------------------- build
./mvnw -q -B -ntp install -DskipTests -Dtck.skip=true -pl provider -am
# clean: the provider may have changed under an unchanged benchmark source
./mvnw -q -B -ntp -f benchmarks/pom.xml clean package
jar="$here/target/benchmarks.jar"

# ---------------------------------------------------------------- servers
pids=()
logs="$out/servers"
mkdir -p "$logs"
stop_servers() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

await_port() {
  local port="$1" name="$2" tries="${3:-100}"
  for _ in $(seq 1 "$tries"); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "$name on port $port did not start; its log:" >&2
  cat "$logs/$name-$port.log" >&2 || true
  exit 1
}

memcached_user=()
if [ "$(id -u)" -eq 0 ]; then
  memcached_user=(-u nobody) # memcached refuses to run as root without -u
fi

start_memcached() {
  local port
  port="$(free_port)"
  "${pin_server[@]}" memcached "${memcached_user[@]}" -l 127.0.0.1 -p "$port" -U 0 -t 1 -m 1024 \
    >"$logs/memcached-$port.log" 2>&1 &
  pids+=("$!")
  await_port "$port" memcached
  echo "127.0.0.1:$port"
}

start_redis() {
  local port
  port="$(free_port)"
  "${pin_server[@]}" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --dir "$logs" >"$logs/redis-$port.log" 2>&1 &
  pids+=("$!")
  await_port "$port" redis
  echo "127.0.0.1:$port"
}

# One Hazelcast member in its own JVM, from the benchmarks jar (which holds Hazelcast and the
# benchmarks' entry processor, which invoke/invokeAll run on the member): bound to 127.0.0.1 only,
# multicast and auto-detection off, a cluster of one.
start_hazelcast() {
  local port config
  port="$(free_port)"
  config="$logs/hazelcast-$port.yaml"
  cat >"$config" <<YAML
hazelcast:
  cluster-name: memjcache-bench
  properties:
    hazelcast.phone.home.enabled: false
    hazelcast.socket.bind.any: false
  network:
    port:
      port: $port
      auto-increment: false
    interfaces:
      enabled: true
      interfaces:
        - 127.0.0.1
    join:
      auto-detection:
        enabled: false
      multicast:
        enabled: false
      tcp-ip:
        enabled: true
        member-list:
          - 127.0.0.1:$port
  jet:
    enabled: false
YAML
  "${pin_server[@]}" "$java" -Xms1g -Xmx1g -XX:+UseG1GC -Djava.net.preferIPv4Stack=true \
    -Dhazelcast.config="$config" -Dhazelcast.phone.home.enabled=false \
    --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.management/sun.management=ALL-UNNAMED \
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
    -cp "$jar" com.hazelcast.core.server.HazelcastMemberStarter >"$logs/hazelcast-$port.log" 2>&1 &
  pids+=("$!")
  await_port "$port" hazelcast 600
  echo "127.0.0.1:$port"
}

# Started in this shell (not in $(...)), so that their pids are recorded for the EXIT trap.
start_memcached >"$out/.addr"; one="$(cat "$out/.addr")"
three=""
for _ in 1 2 3; do
  start_memcached >"$out/.addr"; three="${three:+$three,}$(cat "$out/.addr")"
done
start_redis >"$out/.addr"; redis="$(cat "$out/.addr")"
start_hazelcast >"$out/.addr"; hazelcast="$(cat "$out/.addr")"
start_memcached >"$out/.addr"; bytes_memjcache="$(cat "$out/.addr")"
start_memcached >"$out/.addr"; bytes_raw="$(cat "$out/.addr")"
rm -f "$out/.addr"
echo "servers: memcached 1 node $one; 3 nodes $three; redis $redis; hazelcast $hazelcast;" \
  "bytes-per-entry $bytes_memjcache, $bytes_raw"

# ---------------------------------------------------------------- benchmarks
props=(
  -Dbench.memcached1="$one"
  -Dbench.memcached3="$three"
  -Dbench.redis="$redis"
  -Dbench.hazelcast="$hazelcast"
  -Dbench.threads="$threads"
  -Djava.net.preferIPv4Stack=true
)
# On CPU 0 the JIT's compiler threads compete with up to 16 benchmark threads: at equal priority
# C2 needed 8-10 s to finish and session 21's runs (5 s of warm-up) measured half of their cells
# while still speeding up. As root, compiler threads run at nice -15 (the JVM applies
# CompilerThreadPriority as a nice value only under ThreadPriorityPolicy=1, which needs root).
# Forks inherit these flags from this JVM.
jit=()
if [ "$(id -u)" -eq 0 ]; then
  jit=(-XX:ThreadPriorityPolicy=1 -XX:CompilerThreadPriority=-15)
fi
read -r -a extra <<<"${JMH_ARGS:-}"
results=()
for launch in $(seq 1 "$repeat"); do
  if [ "$repeat" = "1" ]; then
    result="$out/results.json"; log="$out/jmh.log"
  else
    result="$out/results-$launch.json"; log="$out/jmh-$launch.log"
  fi
  echo "JMH launch $launch of $repeat: -wi $wi -w $w -i $i -r $r -f $f, threads $threads," \
    "client pinned: ${pin_client[*]:-no}, compiler threads: ${jit[*]:-default priority}"
  "${pin_client[@]}" "$java" -Xms2g -Xmx2g "${jit[@]}" "${props[@]}" -cp "$jar" io.memjcache.benchmarks.Main \
    -wi "$wi" -w "$w" -i "$i" -r "$r" -f "$f" -prof gc -foe true \
    -rf json -rff "$result" "${without_vthreads[@]}" "${extra[@]}" 2>&1 | tee "$log"
  results+=("$result")
done

"${pin_client[@]}" "$java" -Xmx2g -Dbench.bytesMemjcache="$bytes_memjcache" -Dbench.bytesRaw="$bytes_raw" \
  -Djava.net.preferIPv4Stack=true -cp "$jar" io.memjcache.benchmarks.BytesPerEntry "$out/bytes.json"

# ---------------------------------------------------------------- report
{
  echo "<!-- $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) CPUs; JMH -wi $wi -w $w -i $i -r $r -f $f; threads $threads;"
  echo "     launches $repeat; memcached $(memcached -V | awk '{print $2}') -t 1; $(redis-server --version | awk '{print $3}');"
  echo "     hazelcast 5.7.0 (one member, -Xmx1g); $("$java" -version 2>&1 | head -1);"
  echo "     client pinned: ${pin_client[*]:-no}; servers pinned: ${pin_server[*]:-no};"
  echo "     compiler threads: ${jit[*]:-default priority} -->"
  python3 "$here/report.py" "$(IFS=,; echo "${results[*]}")" "$out/bytes.json"
} | tee "$out/table.md"
echo "table: $out/table.md"
