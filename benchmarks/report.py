#!/usr/bin/env python3
"""Prints the MemJCache benchmark results as Markdown tables of ratios, PASS/MISS per target.

usage: report.py results.json[,results-2.json,...] [bytes.json]

results.json is JMH's JSON (benchmarks/run.sh writes it), one file per launch (REPEAT=N gives N,
comma-separated). Every figure is the median of the measurement iterations of a run (all forks);
ratios compare runs of the same launch only. With several launches each ratio is computed within
each launch, and the table gives the median of those ratios (and their range); ops/s columns give
the median over launches.
"""
import json
import statistics
import sys

PKG = "io.memjcache.benchmarks."
REMOTE_OPS = ["get", "put", "getAll", "putIfAbsent", "replace", "invoke"]
# ratio MemJCache / raw xmemcached that each op must reach (None: reported, no target)
RAW_TARGETS = {"get": 0.90, "put": 0.90, "getAll": 0.90}
REDISSON_GET_TARGET = 4.0        # MemJCache get / Redisson get at 16 threads
NEAR_VS_CAFFEINE_TARGET = 1.0    # near hit / Caffeine JCache store-by-value get, bounded alike
NEAR_VS_REMOTE_TARGET = 500.0    # near hit / MemJCache remote get (1 node)
ALLOC_TARGET = 2.0               # MemJCache B/op / raw B/op per remote get, at most
BYTES_TARGET = 32.0              # extra bytes per entry, at most

# Bulk cases of 100 keys: (label, MemJCache benchmark, anchor benchmark, anchor target with {n}
# for the node count, node counts, target ratio MemJCache / anchor or None).
BULK_CASES = [
    ("putAll(100) / raw pipelined (quiet sets, a barrier per node)", "BulkOps.putAll", "BulkOps.putAll",
     "xmemcached-{n}", ("1", "3"), 0.8),
    ("putAll(100) / raw naive (100 sets)", "BulkOps.putAll", "BulkOps.putAll", "xmemcached-naive-{n}", ("1", "3"), None),
    ("putAll(100) / Redisson putAll(100)", "BulkOps.putAll", "BulkOps.putAll", "redisson-1", ("1",), 2.0),
    ("putAll(100) / Hazelcast putAll(100)", "BulkOps.putAll", "BulkOps.putAll", "hazelcast-1", ("1",), 2.0),
    ("removeAll(100) / raw pipelined deletes", "BulkOps.removeAll", "BulkOps.removeAll", "xmemcached-{n}", ("1", "3"), 0.8),
    ("removeAll(100) / raw naive (100 deletes)", "BulkOps.removeAll", "BulkOps.removeAll", "xmemcached-naive-{n}",
     ("1", "3"), None),
    ("removeAll(100) / Redisson removeAll(100)", "BulkOps.removeAll", "BulkOps.removeAll", "redisson-1", ("1",), None),
    ("removeAll(100) / Hazelcast removeAll(100)", "BulkOps.removeAll", "BulkOps.removeAll", "hazelcast-1", ("1",), None),
    ("putAll+removeAll(100) / raw pipelined pair", "BulkOps.putAllRemoveAll", "BulkOps.putAllRemoveAll",
     "xmemcached-{n}", ("1", "3"), None),
    ("putAll+removeAll(100) / Redisson's pair", "BulkOps.putAllRemoveAll", "BulkOps.putAllRemoveAll", "redisson-1",
     ("1",), None),
    ("putAll+removeAll(100) / Hazelcast's pair", "BulkOps.putAllRemoveAll", "BulkOps.putAllRemoveAll", "hazelcast-1",
     ("1",), None),
    ("invokeAll(100) / Redisson invokeAll(100)", "BulkInvoke.invokeAll", "BulkInvoke.invokeAll", "redisson-1", ("1",), None),
    ("invokeAll(100) / Hazelcast invokeAll(100)", "BulkInvoke.invokeAll", "BulkInvoke.invokeAll", "hazelcast-1",
     ("1",), None),
]


def median(raw_data):
    values = [v for fork in raw_data for v in fork]
    return statistics.median(values) if values else None


def seconds(text):
    """JMH's "200 ms" / "1 s" as seconds."""
    value, unit = text.split()
    return float(value) * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "min": 60}.get(unit, 1)


def smoke_settings(runs):
    """Why these runs are too short to mean anything, or None."""
    reasons = set()
    for run in runs:
        if run.get("measurementIterations", 0) * run.get("forks", 1) < 5:
            reasons.add("fewer than 5 measurement iterations")
        if seconds(run.get("measurementTime", "1 s")) < 1:
            reasons.add("measurement iterations under 1 s")
        if seconds(run.get("warmupTime", "1 s")) * run.get("warmupIterations", 1) < 2:
            reasons.add("under 2 s of warm-up (the JIT has not finished)")
    return ", ".join(sorted(reasons)) if reasons else None


# A run whose last measurement iterations beat its first by more than this was still warming up
# (the JIT had not finished): its figure understates the steady state.
WARMING_RISE = 1.20


def still_warming(raw_data):
    """The rise from the first two measurement iterations to the last two, when above WARMING_RISE."""
    for fork in raw_data:
        if len(fork) >= 4:
            first = statistics.mean(fork[:2])
            last = statistics.mean(fork[-2:])
            if first > 0 and last / first > WARMING_RISE:
                return last / first
    return None


def load(path):
    with open(path) as f:
        runs = json.load(f)
    table = {"smoke": smoke_settings(runs), "warming": []}
    for run in runs:
        name = run["benchmark"]
        if name.startswith(PKG):
            name = name[len(PKG):]
        params = run.get("params", {})
        target = params.get("target", "")
        ops = median(run["primaryMetric"]["rawData"])
        if "kind" in params:
            # ThreadKinds: one JMH op is a batch of `callers` cache calls; the target names the
            # thread kind and the caller count too, e.g. memjcache-1/virtual/64.
            target = f"{target}/{params['kind']}/{params['callers']}"
            ops = ops * int(params["callers"]) if ops is not None else None
        key = (name, int(params.get("size", 0)), target, int(run["threads"]))
        metrics = {"ops": ops}
        rise = still_warming(run["primaryMetric"]["rawData"])
        if rise:
            table["warming"].append((key, rise))
        for metric, data in run.get("secondaryMetrics", {}).items():
            metric = metric.lstrip("\u00b7")
            if metric == "gc.alloc.rate.norm":
                metrics["alloc"] = median(data["rawData"])
        table[key] = metrics
    return table


def fmt_ops(v):
    if v is None:
        return "n/a"
    for unit, scale in (("M", 1e6), ("k", 1e3)):
        if v >= scale:
            return f"{v / scale:.3g}{unit}"
    return f"{v:.3g}"


def fmt_ratio(v):
    if v is None:
        return "n/a"
    return f"{v:.0f}" if v >= 100 else f"{v:.2f}"


def size_name(size):
    return "10 KiB" if size == 10240 else f"{size} B"


class Verdicts:
    def __init__(self):
        self.passed = 0
        self.missed = 0
        self.unknown = 0

    def check(self, value, target, at_least=True):
        if target is None:
            return ""
        if value is None:
            self.unknown += 1
            return "n/a"
        ok = value >= target if at_least else value <= target
        if ok:
            self.passed += 1
            return "PASS"
        self.missed += 1
        return "**MISS**"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    launches = [load(path) for path in argv[1].split(",") if path]
    smokes = [launch.pop("smoke") for launch in launches]
    warming = [(n + 1, key, rise) for n, launch in enumerate(launches) for key, rise in launch.pop("warming")]
    smoke = next((x for x in smokes if x), None)
    bytes_result = None
    if len(argv) > 2:
        try:
            with open(argv[2]) as f:
                bytes_result = json.load(f)
        except FileNotFoundError:
            pass
    v = Verdicts()
    keys = {k for launch in launches for k in launch}
    sizes = sorted({k[1] for k in keys if k[1]})
    threads = sorted({k[3] for k in keys})

    def metric(bench, size, target, t, what="ops"):
        """The median over launches of one run's figure."""
        values = [launch.get((bench, size, target, t), {}).get(what) for launch in launches]
        values = [x for x in values if x is not None]
        return statistics.median(values) if values else None

    def cell(bench, target, anchor_bench, anchor, size, t, what="ops"):
        """The median over launches of the same-launch ratio, and the text for the table."""
        ratios = []
        for launch in launches:
            a = launch.get((bench, size, target, t), {}).get(what)
            b = launch.get((anchor_bench, size, anchor, t), {}).get(what)
            r = ratio(a, b)
            if r is not None:
                ratios.append(r)
        if not ratios:
            return None, "n/a"
        r = statistics.median(ratios)
        text = fmt_ratio(r)
        if len(ratios) > 1:
            text += f" ({fmt_ratio(min(ratios))}–{fmt_ratio(max(ratios))})"
        return r, text

    def anchor_rows(cases, second_anchor):
        """Rows of MemJCache against raw xmemcached and a second raw anchor (target prefix + node count)."""
        rows = []
        for bench, name in cases:
            for size in sizes:
                for t in threads:
                    for nodes in ("1", "3"):
                        other, mem, raw = second_anchor + nodes, "memjcache-" + nodes, "xmemcached-" + nodes
                        o_ops = metric(bench, size, other, t)
                        if o_ops is None:
                            continue
                        _, vs_raw = cell(bench, mem, bench, raw, size, t)
                        _, vs_other = cell(bench, mem, bench, other, size, t)
                        _, other_vs_raw = cell(bench, other, bench, raw, size, t)
                        rows.append(f"| {name} | {size_name(size)} | {t} | {nodes} | {fmt_ops(metric(bench, size, mem, t))} | "
                                    f"{fmt_ops(metric(bench, size, raw, t))} | {fmt_ops(o_ops)} | "
                                    f"{vs_raw} | {vs_other} | {other_vs_raw} |")
        return rows

    out = []
    if smoke:
        out.append(f"> **Smoke-test settings ({smoke}): these figures and verdicts mean nothing.**")
        out.append("")
    n = len(launches)
    if n > 1:
        out.append(f"{n} launches: each ratio is the median of its {n} same-launch ratios (their range in "
                   "brackets); ops/s are medians over the launches.")
        out.append("")
    out.append("### MemJCache / raw xmemcached (same memcached nodes, binary protocol)")
    out.append("")
    out.append("| op | value | threads | nodes | MemJCache ops/s | xmemcached ops/s | ratio | target | |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for op in REMOTE_OPS:
        for size in sizes:
            for t in threads:
                for nodes in ("1", "3"):
                    m = metric("RemoteOps." + op, size, "memjcache-" + nodes, t)
                    x = metric("RemoteOps." + op, size, "xmemcached-" + nodes, t)
                    if m is None and x is None:
                        continue
                    r, text = cell("RemoteOps." + op, "memjcache-" + nodes, "RemoteOps." + op, "xmemcached-" + nodes,
                                   size, t)
                    target = RAW_TARGETS.get(op)
                    name = "getAll(100)" if op == "getAll" else op
                    out.append(f"| {name} | {size_name(size)} | {t} | {nodes} | {fmt_ops(m)} | {fmt_ops(x)} | "
                               f"{text} | {'≥ %.2f' % target if target else '—'} | {v.check(r, target)} |")
    out.append("")
    if any(k[0].startswith("Bulk") for k in keys):
        out.append("### Bulk operations of 100 keys: MemJCache / anchor (memcached, redis, Hazelcast member)")
        out.append("")
        out.append("| case | value | threads | nodes | MemJCache ops/s | anchor ops/s | ratio | target | |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---|")
        for label, bench, anchor_bench, anchor, node_counts, target in BULK_CASES:
            for size in sizes:
                for t in threads:
                    for nodes in node_counts:
                        m = metric(bench, size, "memjcache-" + nodes, t)
                        a = metric(anchor_bench, size, anchor.format(n=nodes), t)
                        if m is None and a is None:
                            continue
                        r, text = cell(bench, "memjcache-" + nodes, anchor_bench, anchor.format(n=nodes), size, t)
                        out.append(f"| {label} | {size_name(size)} | {t} | {nodes} | {fmt_ops(m)} | {fmt_ops(a)} | "
                                   f"{text} | {'≥ %.1f' % target if target else '—'} | {v.check(r, target)} |")
        out.append("")
    if any(k[2].startswith("xmemcached-strings-") for k in keys):
        out.append("### The value's String codec: raw xmemcached storing the same Strings (no target)")
        out.append("")
        out.append("The anchors above store byte[] values as they are; MemJCache stores Strings, which it "
                   "encodes on a write and decodes (and copies) on a read. Raw xmemcached through a UTF-8 "
                   "transcoder does that same work: the third ratio is what the codec costs a raw client, "
                   "the second what MemJCache costs beyond it.")
        out.append("")
        out.append("| op | value | threads | nodes | MemJCache ops/s | raw byte[] ops/s | raw Strings ops/s | "
                   "MemJCache / raw byte[] | MemJCache / raw Strings | raw Strings / raw byte[] |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        cases = [("RemoteOps." + op, "getAll(100)" if op == "getAll" else op) for op in ("get", "put", "getAll")]
        cases += [("BulkOps.putAll", "putAll(100)"), ("BulkOps.removeAll", "removeAll(100)")]
        out.extend(anchor_rows(cases, "xmemcached-strings-"))
        out.append("")
    if any(k[2].startswith("xmemcached-ketama-") for k in keys):
        out.append("### Routing: raw xmemcached with consistent hashing (Ketama) against its default (no target)")
        out.append("")
        out.append("The raw anchors route by xmemcached's default, the key's String hash modulo the node count: "
                   "no consistent hashing, so a membership change moves nearly every key. MemJCache routes "
                   "every key through its Murmur3 ring; xmemcached's own consistent hashing is Ketama (MD5). "
                   "On one node xmemcached routes no key of a multi-get.")
        out.append("")
        out.append("| op | value | threads | nodes | MemJCache ops/s | raw modulo ops/s | raw Ketama ops/s | "
                   "MemJCache / raw modulo | MemJCache / raw Ketama | raw Ketama / raw modulo |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        out.extend(anchor_rows([("RemoteOps." + op, "getAll(100)" if op == "getAll" else op) for op in REMOTE_OPS],
                               "xmemcached-ketama-"))
        out.append("")
    out.append("### MemJCache / Redisson JCache (1 memcached node vs 1 redis)")
    out.append("")
    out.append("| op | value | threads | MemJCache ops/s | Redisson ops/s | ratio | target | |")
    out.append("|---|---|---:|---:|---:|---:|---:|---|")
    for op in REMOTE_OPS:
        for size in sizes:
            for t in threads:
                m = metric("RemoteOps." + op, size, "memjcache-1", t)
                rd = metric("RemoteOps." + op, size, "redisson-1", t)
                if rd is None:
                    continue
                r, text = cell("RemoteOps." + op, "memjcache-1", "RemoteOps." + op, "redisson-1", size, t)
                target = REDISSON_GET_TARGET if op == "get" and t == 16 else None
                name = "getAll(100)" if op == "getAll" else op
                out.append(f"| {name} | {size_name(size)} | {t} | {fmt_ops(m)} | {fmt_ops(rd)} | {text} | "
                           f"{'≥ %.0f' % target if target else '—'} | {v.check(r, target)} |")
    out.append("")
    out.append("### MemJCache / Hazelcast client JCache (1 memcached node vs 1 Hazelcast member)")
    out.append("")
    out.append("| op | value | threads | MemJCache ops/s | Hazelcast ops/s | ratio | target | |")
    out.append("|---|---|---:|---:|---:|---:|---:|---|")
    for op in REMOTE_OPS:
        for size in sizes:
            for t in threads:
                m = metric("RemoteOps." + op, size, "memjcache-1", t)
                rd = metric("RemoteOps." + op, size, "hazelcast-1", t)
                if rd is None:
                    continue
                r, text = cell("RemoteOps." + op, "memjcache-1", "RemoteOps." + op, "hazelcast-1", size, t)
                target = None
                name = "getAll(100)" if op == "getAll" else op
                out.append(f"| {name} | {size_name(size)} | {t} | {fmt_ops(m)} | {fmt_ops(rd)} | {text} | "
                           f"{'≥ %.0f' % target if target else '—'} | {v.check(r, target)} |")
    out.append("")
    out.append("### Near-cache hit vs Caffeine JCache (store-by-value; bounded as the near cache is, and unbounded) "
               "and vs a remote get")
    out.append("")
    out.append("| value | threads | near hit ops/s | Caffeine bounded ops/s | near / bounded (≥ 1.0) | | "
               "Caffeine bounded, expiring ops/s | near / expiring | "
               "Caffeine unbounded ops/s | near / unbounded | remote get ops/s | near / remote (≥ 500) | |")
    out.append("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for size in sizes:
        for t in threads:
            near = metric("LocalGet.memjcacheNearHit", size, "", t)
            bounded = metric("LocalGet.caffeineBoundedGet", size, "", t)
            caffeine = metric("LocalGet.caffeineGet", size, "", t)
            expiring = metric("LocalGet.caffeineExpiringGet", size, "", t)
            remote = metric("RemoteOps.get", size, "memjcache-1", t)
            if near is None and caffeine is None and bounded is None:
                continue
            rb, rb_text = cell("LocalGet.memjcacheNearHit", "", "LocalGet.caffeineBoundedGet", "", size, t)
            rc, rc_text = cell("LocalGet.memjcacheNearHit", "", "LocalGet.caffeineGet", "", size, t)
            _, re_text = cell("LocalGet.memjcacheNearHit", "", "LocalGet.caffeineExpiringGet", "", size, t)
            rr, rr_text = cell("LocalGet.memjcacheNearHit", "", "RemoteOps.get", "memjcache-1", size, t)
            out.append(f"| {size_name(size)} | {t} | {fmt_ops(near)} | {fmt_ops(bounded)} | {rb_text} | "
                       f"{v.check(rb, NEAR_VS_CAFFEINE_TARGET)} | {fmt_ops(expiring)} | {re_text} | "
                       f"{fmt_ops(caffeine)} | {rc_text} | "
                       f"{fmt_ops(remote)} | {rr_text} | {v.check(rr, NEAR_VS_REMOTE_TARGET)} |")
    out.append("")
    out.append("### Allocation per remote get (JMH `-prof gc`, `gc.alloc.rate.norm`, bytes/op)")
    out.append("")
    out.append("| value | threads | nodes | MemJCache B/op | xmemcached B/op | ratio (≤ 2) | |")
    out.append("|---|---:|---:|---:|---:|---:|---|")
    for size in sizes:
        for t in threads:
            for nodes in ("1", "3"):
                m = metric("RemoteOps.get", size, "memjcache-" + nodes, t, "alloc")
                x = metric("RemoteOps.get", size, "xmemcached-" + nodes, t, "alloc")
                if m is None and x is None:
                    continue
                r, text = cell("RemoteOps.get", "memjcache-" + nodes, "RemoteOps.get", "xmemcached-" + nodes, size, t,
                               "alloc")
                out.append(f"| {size_name(size)} | {t} | {nodes} | {m if m is None else round(m)} | "
                           f"{x if x is None else round(x)} | {text} | {v.check(r, ALLOC_TARGET, at_least=False)} |")
    out.append("")
    if any(k[0].startswith("MissOps.") for k in keys):
        out.append("### Misses (1 memcached node): a read-through miss with its lease, and a hot-key storm")
        out.append("")
        out.append("| benchmark | threads | single flight ops/s | no single flight ops/s | cache-aside get+put ops/s | "
                   "single flight / cache-aside |")
        out.append("|---|---:|---:|---:|---:|---:|")
        for bench in ("missThenLoad", "hotKeyStorm"):
            for t in threads:
                sf = metric("MissOps." + bench, 0, "memjcache", t)
                nosf = metric("MissOps." + bench, 0, "memjcache-nosf", t)
                aside = metric("MissOps." + bench, 0, "cache-aside", t)
                if sf is None and nosf is None and aside is None:
                    continue
                _, text = cell("MissOps." + bench, "memjcache", "MissOps." + bench, "cache-aside", 0, t)
                out.append(f"| {bench} | {t} | {fmt_ops(sf)} | {fmt_ops(nosf)} | {fmt_ops(aside)} | {text} |")
        out.append("")
        out.append("Loads per storm key are printed by the benchmark itself (`[miss-ops]` lines of the JMH output).")
        out.append("")
    thread_kinds = sorted({(k[0], k[1], k[2].split("/")[0], int(k[2].split("/")[2]), k[3])
                           for k in keys if k[0].startswith("ThreadKinds.")})
    if thread_kinds:
        out.append("### Virtual threads / platform threads (MemJCache, equal concurrency; no target)")
        out.append("")
        out.append("One JMH operation hands `callers` tasks of one cache call each to an executor and waits for all: "
                   "a new virtual thread per task, or a pool of `callers` platform threads. Cache calls per second "
                   "(batches per second x callers).")
        out.append("")
        out.append("| op | value | JMH threads | nodes | callers | platform ops/s | virtual ops/s | virtual / platform |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for bench, size, mem, callers, t in sorted(thread_kinds, key=lambda k: (k[0], k[1], k[4], k[2], k[3])):
            platform, virtual = f"{mem}/platform/{callers}", f"{mem}/virtual/{callers}"
            _, text = cell(bench, virtual, bench, platform, size, t)
            out.append(f"| {bench.split('.')[1]} | {size_name(size)} | {t} | {mem.split('-')[1]} | {callers} | "
                       f"{fmt_ops(metric(bench, size, platform, t))} | {fmt_ops(metric(bench, size, virtual, t))} | "
                       f"{text} |")
        out.append("")
    out.append("### Bytes stored per entry (memcached `stats` `bytes`; String key, 100-byte String value)")
    out.append("")
    if bytes_result:
        b = bytes_result
        out.append("| entries | MemJCache B/entry | raw B/entry | difference (≤ 32) | | of which key | value | other |")
        out.append("|---:|---:|---:|---:|---|---:|---:|---:|")
        out.append(f"| {b['entries']:,} | {b['memjcacheBytesPerEntry']:.1f} | {b['rawBytesPerEntry']:.1f} | "
                   f"{b['difference']:+.1f} | {v.check(b['difference'], BYTES_TARGET, at_least=False)} | "
                   f"{b['keyDelta']:+.1f} | {b['valueDelta']:+.1f} | {b['otherDelta']:+.1f} |")
        out.append("")
        out.append(f"Per item, read back from the servers: MemJCache key {b['memjcacheKeyBytes']:.1f} B "
                   f"(e.g. `{b['exampleKey']}`) against {b['rawKeyBytes']:.1f} B raw; stored value "
                   f"{b['memjcacheValueBytes']:.1f} B against {b['rawValueBytes']:.1f} B; other: memcached's item "
                   "header (4-byte suffix for non-zero client flags).")
    else:
        out.append("(no bytes-per-entry result)")
    out.append("")
    if warming:
        out.append(f"### Runs still warming up ({len(warming)}): last two measurement iterations "
                   f"> {WARMING_RISE:.2f} x the first two")
        out.append("")
        out.append("Their figures understate the steady state; a longer warm-up (WI) would change them.")
        out.append("")
        for n, (bench, size, target, t), rise in warming:
            out.append(f"- launch {n}: {bench} {size_name(size)} {target or '-'} {t} thread(s): x{rise:.2f}")
        out.append("")
    else:
        out.append(f"No run was still warming up (every run's last two measurement iterations within "
                   f"{WARMING_RISE:.2f} x its first two).")
        out.append("")
    out.append(f"**{v.passed} PASS, {v.missed} MISS**" + (f", {v.unknown} n/a" if v.unknown else "")
               + " — medians of the measurement iterations; only ratios within one launch are comparable.")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
