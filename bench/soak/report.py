"""The soak's report: figures, the five criteria, a table over time and one chart per run.

write(jsonl_files, doc) reads the runs (scenario.py's lines: run, sample..., summary), writes
bench/soak/results/<stamp>.md and <stamp>-<topology>.png beside the first file and, with
doc=True, replaces the part of docs/reliability.md between `<!-- soak:begin -->` and
`<!-- soak:end -->` with the same text, charts in docs/reliability-<topology>.png. Returns True
when every criterion that can be checked was met by every run.

The criteria (issue 11, item 4), per node:
  sessions     after the drain, socket_gateway_sockets and _connections are back at their
               baseline (0) and the open fds too
  rooms        cluster: socket_gateway_cluster_room_subscriptions back at baseline, and Redis's
               pubsub_channels too; one node: /metrics has no room-index gauge (n/a)
  rss          RSS at the end of the load and after the drain within +10 % of the post-warm-up
               RSS (the first sample after the warm-up)
  losses       no owed emit missing, no duplicate, no stray, for readers that stayed connected;
               and no reader disconnected by the server
  bounded      peak RSS during the load <= post-warm-up RSS + --max-queue-bytes x the most
               non-readers the node held at once (while they are flooded with far more bytes)
"""
from __future__ import annotations

import json
import pathlib
import re

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = REPO_ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"
RSS_TOLERANCE = 0.10


def read_run(path: pathlib.Path) -> dict:
    run = {"path": path, "samples": [], "summary": None, "meta": None}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        if record["kind"] == "run":
            run["meta"] = record
        elif record["kind"] == "sample":
            run["samples"].append(record)
        elif record["kind"] == "summary":
            run["summary"] = record
    return run


def _mb(kb) -> str:
    return "—" if kb is None else f"{kb / 1024:.1f}"


def _n(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value}"


def node_figures(run: dict, index: int) -> dict:
    samples = run["samples"]
    by_phase = lambda *phases: [s for s in samples if s["phase"] in phases]  # noqa: E731
    node = lambda s: s["nodes"][index]  # noqa: E731
    baseline, load = by_phase("baseline"), by_phase("load")
    settled = by_phase("settled")
    loaded = by_phase("warmup", "load")
    profile = run["meta"]["profile"]
    f = {"name": node(samples[0])["name"]}
    f["rss_baseline"] = node(baseline[-1])["rss_kb"]
    f["rss_post_warmup"] = node(load[0])["rss_kb"] if load else None
    f["rss_peak"] = max(node(s)["rss_kb"] for s in loaded)
    f["rss_end_load"] = node(load[-1])["rss_kb"] if load else None
    f["rss_settled"] = node(settled[-1])["rss_kb"]
    f["fds_baseline"] = node(baseline[-1])["fds"]
    f["fds_peak"] = max(node(s)["fds"] for s in loaded)
    f["fds_settled"] = node(settled[-1])["fds"]
    f["sockets_peak"] = max(node(s)["sockets"] or 0 for s in loaded)
    f["sockets_settled"] = node(settled[-1])["sockets"]
    f["connections_settled"] = node(settled[-1])["connections"]
    f["subs_baseline"] = node(baseline[-1])["room_subscriptions"]
    f["subs_peak"] = max((node(s)["room_subscriptions"] or 0) for s in loaded) if f["subs_baseline"] is not None else None
    f["subs_settled"] = node(settled[-1])["room_subscriptions"]
    f["slow_disconnects"] = node(settled[-1])["slow_disconnects_total"]
    f["deliveries_total"] = node(settled[-1])["deliveries_total"]
    f["held_for_cut_peak"] = max(node(s).get("held_for_cut") or 0 for s in loaded)
    f["cpu_s"] = node(settled[-1])["cpu_s"]
    f["non_readers_peak"] = max((s["harness"].get("non_readers_by_node") or [0] * (index + 1))[index] for s in loaded)
    f["budget_kb"] = profile["max_queue_bytes"] * f["non_readers_peak"] / 1024
    return f


def criteria(run: dict) -> dict:
    """criterion -> (verdict: True / False / None for n/a, text)."""
    nodes = [node_figures(run, i) for i in range(len(run["samples"][0]["nodes"]))]
    summary = run["summary"]
    totals, counts = summary["totals"], summary["counts"]
    samples = run["samples"]
    result = {}
    ok = all(n["sockets_settled"] == 0 and n["connections_settled"] == 0 and n["fds_settled"] == n["fds_baseline"]
             for n in nodes)
    result["sessions"] = (ok, "; ".join(f"{n['name']}: sockets {_n(n['sockets_settled'])}, sessions "
                                        f"{_n(n['connections_settled'])}, fds {n['fds_settled']} (baseline "
                                        f"{n['fds_baseline']})" for n in nodes))
    if nodes[0]["subs_baseline"] is None:
        result["rooms"] = (None, "no room-index gauge in /metrics on a single node (harness side: "
                                 f"{samples[-1]['harness'].get('rooms_with_members', 0)} rooms with a member)")
    else:
        base = [s for s in samples if s["phase"] == "baseline"][-1].get("redis", {}).get("pubsub_channels")
        end = samples[-1].get("redis", {}).get("pubsub_channels")
        ok = all(n["subs_settled"] == n["subs_baseline"] for n in nodes) and base == end
        result["rooms"] = (ok, "; ".join(f"{n['name']}: room subscriptions {_n(n['subs_settled'])} (baseline "
                                         f"{_n(n['subs_baseline'])}, peak {_n(n['subs_peak'])})" for n in nodes)
                           + f"; Redis channels {end} (baseline {base})")
    texts, ok = [], True
    for n in nodes:
        pw = n["rss_post_warmup"]
        end_load, settled = n["rss_end_load"] / pw - 1, n["rss_settled"] / pw - 1
        ok = ok and end_load <= RSS_TOLERANCE and settled <= RSS_TOLERANCE
        texts.append(f"{n['name']}: post-warm-up {_mb(pw)} MiB, end of load {end_load:+.1%}, after drain "
                     f"{settled:+.1%}")
    result["rss"] = (ok, "; ".join(texts))
    dropped = counts.get("readers_dropped_by_server", 0)
    lost, dup, strays = totals.get("lost", 0), totals.get("duplicates", 0), totals.get("strays", 0)
    ok = lost == 0 and dup == 0 and strays == 0 and dropped == 0 and summary.get("pending_checks_left", 0) == 0
    result["losses"] = (ok, f"owed {_n(totals.get('owed_finalized', 0))}, received {_n(totals.get('received_owed', 0))}, "
                            f"lost {lost}, duplicates {dup}, strays {strays}; readers cut by the server {dropped}")
    texts, ok = [], True
    for n in nodes:
        growth = n["rss_peak"] - n["rss_post_warmup"]
        ok = ok and growth <= n["budget_kb"]
        texts.append(f"{n['name']}: peak − post-warm-up {_mb(growth)} MiB ≤ {_mb(n['budget_kb'])} MiB "
                     f"({n['non_readers_peak']} non-readers × {run['meta']['profile']['max_queue_bytes'] // 1024} KiB)")
    addressed = totals.get("bytes_to_nonreaders", 0) / 2**20
    result["bounded"] = (ok, "; ".join(texts) + f"; {addressed:,.0f} MiB were addressed to non-readers in the run")
    return result


LABELS = {"sessions": "sockets, sessions and fds back to baseline after the drain",
          "rooms": "room index back to baseline",
          "rss": f"RSS within +{RSS_TOLERANCE:.0%} of post-warm-up (end of load, after drain)",
          "losses": "zero losses for readers that stayed connected",
          "bounded": "memory bounded by queue limit × non-readers while they are connected"}


def _binary(binary: dict | None) -> str:
    if not binary:
        return "build not recorded"
    dirty = ", src/ with uncommitted changes" if binary.get("src_dirty") else ""
    return (f"build/socket-gateway of {binary['built']} (sha256 {binary['sha256']}…; checkout at "
            f"{binary['head']} when the run started{dirty})")


def _verdict(value) -> str:
    return "n/a" if value is None else ("**met**" if value else "**NOT met**")


def run_section(run: dict, chart: str | None) -> list[str]:
    meta, summary = run["meta"], run["summary"]
    profile = meta["profile"]
    totals, counts = summary["totals"], summary["counts"]
    nodes = [node_figures(run, i) for i in range(len(run["samples"][0]["nodes"]))]
    title = "one node" if meta["topology"] == "single" else "two-node cluster (private Redis)"
    rates = ", ".join(f"{kind} {rate:g}/s × {profile['payload_bytes'][kind]} B" for kind, rate in profile["rates"].items())
    lines = [f"### {title}: {meta['seconds']:.0f} s of load ({meta['wall_clock']}, `{run['path'].name}`)", "",
             f"Load: {profile['readers']:,} readers ({profile['users']:,} users) + {profile['non_readers']} non-readers "
             f"at a time; emits {rates}; --max-queue-bytes {profile['max_queue_bytes']:,}, --threads "
             f"{profile['server_threads']} (0 = one per core). Warm-up {meta['warmup_s']:.0f} s; drain "
             f"{summary['drain_s']} s. Server: {_binary(meta.get('binary'))}.", "",
             "| node | RSS MiB baseline / post-warm-up / peak / end of load / after drain | fds baseline / peak / after "
             "drain | sockets peak / after | room subscriptions baseline / peak / after | slow disconnects | "
             "fds held for cut non-readers (peak) | CPU s |",
             "|---|---|---|---|---|---|---|---|"]
    for n in nodes:
        subs = "—" if n["subs_baseline"] is None else f"{_n(n['subs_baseline'])} / {_n(n['subs_peak'])} / {_n(n['subs_settled'])}"
        lines.append(f"| {n['name']} | {_mb(n['rss_baseline'])} / {_mb(n['rss_post_warmup'])} / {_mb(n['rss_peak'])} / "
                     f"{_mb(n['rss_end_load'])} / {_mb(n['rss_settled'])} | {n['fds_baseline']} / {n['fds_peak']} / "
                     f"{n['fds_settled']} | {_n(n['sockets_peak'])} / {_n(n['sockets_settled'])} | {subs} | "
                     f"{_n(n['slow_disconnects'])} | {n['held_for_cut_peak']} | {n['cpu_s']} |")
    latency = summary["latency"]
    cut = summary["non_reader_cut_after_s"]
    emits = sum(totals.get("emits_" + kind, 0) for kind in profile["rates"])

    def by_kind(prefix: str) -> str:
        return ", ".join(f"{kind} {totals.get(prefix + kind, 0):,}" for kind in profile["rates"])
    lines += ["",
              f"Clients: {counts.get('connects_readers', 0):,} reader sessions "
              f"({counts.get('disconnects_graceful', 0):,} closed with a DISCONNECT, "
              f"{counts.get('disconnects_abrupt', 0):,} dropped without one), "
              f"{counts.get('connects_non_readers', 0):,} non-reader sessions ({counts.get('non_readers_cut', 0):,} "
              f"cut by the server, after {cut.get('p50', '—')} s median, {cut.get('min', '—')}–{cut.get('max', '—')} s, "
              f"of not reading); connect failures {counts.get('connect_failures', 0)}; API answers "
              + ", ".join(f"{k}: {v:,}" for k, v in summary["api"].items()) + ".", "",
              f"Deliveries to readers: {emits:,} emits ({by_kind('emits_')}; {totals.get('emits_failed', 0)} failed, "
              f"{totals.get('emits_skipped', 0)} skipped); owed {totals.get('owed_finalized', 0):,} ({by_kind('owed_')}), "
              f"received {totals.get('received_owed', 0):,}, lost {totals.get('lost', 0)}, duplicates "
              f"{totals.get('duplicates', 0)}, strays {totals.get('strays', 0)}; "
              f"{totals.get('received_ambiguous', 0):,} more received in the guard windows (not counted); latency p50 "
              f"{latency['p50_ms']} ms, p99 {latency['p99_ms']} ms, max {latency['max_ms']} ms (POST to the reader's "
              f"handler, harness loop included).", "",
              "| criterion | verdict | figures |", "|---|---|---|"]
    for key, (verdict, text) in criteria(run).items():
        lines.append(f"| {LABELS[key]} | {_verdict(verdict)} | {text} |")
    if chart:
        lines += ["", f"![{title} over time]({chart})"]
    lines += ["", "<details><summary>Every minute (per node: RSS MiB, fds, sockets, room subscriptions)</summary>", "",
              "| t s | phase | " + " | ".join(f"{n['name']}" for n in nodes) + " | readers / non-readers / stalled | "
              "harness rooms | owed / received (finalized) | slow disconnects | p99 ms |",
              "|---|---|" + "---|" * len(nodes) + "---|---|---|---|---|"]
    last_t = -1e9
    samples = run["samples"]
    for i, s in enumerate(samples):
        if s["t"] - last_t < 59 and s["phase"] in ("warmup", "load") and i != len(samples) - 1 and \
                samples[i + 1]["phase"] in ("warmup", "load"):
            continue
        last_t = s["t"]
        h = s["harness"]
        t = h.get("totals", {})
        cells = [f"{_mb(n['rss_kb'])}, {n['fds']}, {_n(n['sockets'])}, {_n(n['room_subscriptions'])}" for n in s["nodes"]]
        slow = sum(n["slow_disconnects_total"] or 0 for n in s["nodes"])
        lines.append(f"| {s['t']:.0f} | {s['phase']} | " + " | ".join(cells) +
                     f" | {h.get('readers', '—')} / {h.get('non_readers', '—')} / {h.get('non_readers_stalled', '—')} | "
                     f"{_n(h.get('rooms_with_members'))} | {_n(t.get('owed_finalized'))} / {_n(t.get('received_owed'))} | "
                     f"{slow:.0f} | {_n((h.get('latency') or {}).get('p99_ms'))} |")
    lines += ["", "</details>", ""]
    return lines


def chart(run: dict, path: pathlib.Path) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    samples = run["samples"]
    t = [s["t"] for s in samples]
    names = [n["name"] for n in samples[0]["nodes"]]
    warm_end = next((s["t"] for s in samples if s["phase"] == "load"), None)
    drain_start = next((s["t"] for s in samples if s["phase"] == "drain"), None)
    fig, axes = plt.subplots(5, 1, figsize=(10, 15), sharex=True)
    for i, name in enumerate(names):
        rss = [s["nodes"][i]["rss_kb"] / 1024 for s in samples]
        axes[0].plot(t, rss, label=f"RSS {name}")
        pw = node_figures(run, i)["rss_post_warmup"] / 1024
        axes[0].axhspan(pw * (1 - RSS_TOLERANCE), pw * (1 + RSS_TOLERANCE), alpha=0.08)
        axes[1].plot(t, [s["nodes"][i]["fds"] for s in samples], label=f"fds {name}")
        axes[1].plot(t, [s["nodes"][i]["sockets"] or 0 for s in samples], "--", label=f"sockets {name}")
        if samples[0]["nodes"][i]["room_subscriptions"] is not None:
            axes[2].plot(t, [s["nodes"][i]["room_subscriptions"] or 0 for s in samples], label=f"room subscriptions {name}")
        axes[4].plot(t, [s["nodes"][i]["slow_disconnects_total"] or 0 for s in samples], label=f"slow disconnects {name}")
        axes[4].plot(t, [s["nodes"][i].get("held_for_cut") or 0 for s in samples], ":", label=f"fds held for cut non-readers {name}")
    axes[0].set_ylabel("MiB")
    axes[0].set_title(f"{run['meta']['topology']}: server RSS (band: post-warm-up ±{RSS_TOLERANCE:.0%})")
    axes[1].set_title("open fds and Socket.IO sockets per node")
    axes[2].plot(t, [s["harness"].get("rooms_with_members", 0) for s in samples], "k--", label="rooms with a member (harness)")
    axes[2].set_title("room index")
    owed = [s["harness"].get("totals", {}).get("owed_finalized", 0) for s in samples]
    got = [s["harness"].get("totals", {}).get("received_owed", 0) for s in samples]
    lost = [s["harness"].get("totals", {}).get("lost", 0) for s in samples]
    checked = [s["harness"].get("totals", {}).get("owed", 0) for s in samples]
    axes[3].plot(t, checked, ":", label="owed to readers, all sessions so far")
    axes[3].plot(t, owed, label="owed to readers (finalized sessions)")
    axes[3].plot(t, got, "--", label="received")
    axes[3].plot(t, lost, label="lost")
    axes[3].set_title("deliveries to readers, cumulative")
    axes[4].plot(t, [s["harness"].get("non_readers", 0) for s in samples], label="non-readers connected (harness)")
    axes[4].set_title("non-readers and slow disconnects")
    axes[4].set_xlabel("seconds since the nodes started")
    for axis in axes:
        for x in (warm_end, drain_start):
            if x is not None:
                axis.axvline(x, color="grey", linewidth=0.8, linestyle=":")
        axis.legend(fontsize=7, loc="upper left")
        axis.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return True


def write(files: list[pathlib.Path], doc: bool) -> bool:
    runs = [read_run(pathlib.Path(f)) for f in files]
    runs = [r for r in runs if r["summary"] is not None and r["samples"]]
    if not runs:
        print("report: no complete run")
        return False
    stamp = re.sub(r"-(single|cluster)$", "", runs[0]["path"].stem)
    results_dir = runs[0]["path"].parent
    all_met = True
    sections = {"results": [], "doc": []}
    for run in runs:
        topology = run["meta"]["topology"]
        local_chart = results_dir / f"{stamp}-{topology}.png"
        drawn = chart(run, local_chart)
        sections["results"] += run_section(run, local_chart.name if drawn else None)
        if doc:
            doc_chart = DOC.parent / f"reliability-{topology}.png"
            if drawn:
                chart(run, doc_chart)
            sections["doc"] += run_section(run, doc_chart.name if drawn else None)
        all_met = all_met and all(v is not False for v, _ in criteria(run).values())
    sources = ", ".join(f"`bench/soak/results/{r['path'].name}`" for r in runs)
    header = [f"Generated by bench/soak/report.py from {sources}.", ""]
    (results_dir / f"{stamp}.md").write_text("\n".join(["# Soak and churn", ""] + header + sections["results"]))
    if doc:
        text = DOC.read_text() if DOC.exists() else f"# Reliability\n\n{BEGIN}\n{END}\n"
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        DOC.write_text(before + BEGIN + "\n" + "\n".join(header + sections["doc"]) + END + after)
    for run in runs:
        for key, (verdict, text) in criteria(run).items():
            print(f"{run['meta']['topology']:8} {key:9} {_verdict(verdict).strip('*'):8} {text}")
    return all_met
