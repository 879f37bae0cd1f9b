#!/usr/bin/env python3
"""Writes the "Findings" section of BENCHMARKS.md from bench/results/findings-*.json and
memory-findings.txt (bench/findings.sh), replacing the section between its markers."""
import glob, json, os, statistics, sys

out, target = sys.argv[1], sys.argv[2]
BEGIN, END = "<!-- findings: begin -->", "<!-- findings: end -->"

def load(name):
    pooled = {}
    paths = sorted(glob.glob(os.path.join(out, name + ".round*.json"))) or [os.path.join(out, name + ".json")]
    for path in paths:
        for r in json.load(open(path))["results"]:
            pooled.setdefault(r["command"], []).extend(r["times"])
    return {c: {"median": statistics.median(t), "min": min(t), "max": max(t), "runs": len(t)} for c, t in pooled.items()}

def table(results, base):
    b = results[base]["median"]
    rows = ["| command | median ms | min–max ms | vs first |", "|---|---|---|---|"]
    for c, r in results.items():
        rows.append(f'| {c} | {r["median"]*1000:.0f} | {r["min"]*1000:.0f}–{r["max"]*1000:.0f} | {r["median"]/b:.2f}× |')
    return "\n".join(rows)

def ratio(results, a, b):
    return results[a]["median"] / results[b]["median"], results[a]["min"] / results[b]["min"]

def verdict(pair, limit):
    return "met" if max(pair) <= limit else "**not met**"

mem = {k: int(v) for k, v in (l.split("=", 1) for l in open(os.path.join(out, "memory-findings.txt")).read().split())}
real = load("findings-realistic"); big = load("findings-100mb"); dense = load("findings-dense")
floor_real = next(iter(real)); floor_big = next(iter(big)); floor_dense = next(iter(dense))
r_floor = ratio(real, "adinspect check --format jsonl", floor_real)
r_xml = ratio(real, "adinspect check --format jsonl", "xmllint --noout")
r_big = ratio(big, "adinspect 100 MB, ~100k findings (jsonl)", floor_big)
r_dense = ratio(dense, "jsonl", floor_dense)
r_human = ratio(dense, "human", "jsonl"); r_sarif = ratio(dense, "sarif", "jsonl")
show_bb = mem["show_json_wrong_kb"] * 1024 / mem["wrong_bytes"]
show_time = big["adinspect show --format json 100 MB"]["median"] / big["adinspect 100 MB, ~100k findings (jsonl)"]["median"]
per_finding = lambda name: (dense[name]["median"] - dense[floor_dense]["median"]) / mem["wrong_findings"] * 1e6

fmt = lambda p: f"{p[0]:.2f}× (fastest: {p[1]:.2f}×)"
section = f"""{BEGIN}
## Findings (issue 15)

`bash bench/findings.sh` (also run by `bench/run.sh`). The realistic corpus is the 10,000
responses above with the defects real ones carry ({mem['realistic_findings']:,} findings,
{mem['realistic_findings']/10000:.1f} per file; a third have a non-ASCII DisplayName), a 100 MB
response with {mem['findings100_findings']:,} findings (SPA left out of every second ISP
Protocol), and the 10 MB response where every Protocol is wrong ({mem['wrong_findings']:,}
findings). Same machine and method as above (medians and fastest runs over rounds).

| target | measured | |
|---|---|---|
| realistic 10,000 files: at most 1.2× the floor | {fmt(r_floor)} | {verdict(r_floor, 1.2)} |
| realistic 10,000 files: at most 0.45× `xmllint --noout` | {fmt(r_xml)} | {verdict(r_xml, 0.45)} |
| 100 MB, ~100k findings: at most 1.25× the floor | {fmt(r_big)} | {verdict(r_big, 1.25)} |
| 10 MB, every Protocol wrong: at most 2.5× the floor | {fmt(r_dense)} | {verdict(r_dense, 2.5)} |
| human and SARIF within 1.5× of jsonl there | human {fmt(r_human)}, SARIF {fmt(r_sarif)} | {verdict((max(r_human), max(r_sarif)), 1.5)} |
| `show --format json`, every Protocol wrong: at most 10 B of peak memory per input byte | {show_bb:.1f} B/B ({mem['show_json_wrong_kb']/1024:.0f} MiB; check jsonl: {mem['check_jsonl_wrong_kb']/1024:.0f} MiB) | {"met" if show_bb <= 10 else "**not met**"} |
| `show --format json` on the 100 MB file in about the time of `check` | {show_time:.2f}× check's time; peak {mem['show_json_100_kb']/1024:.0f} MiB (check: {mem['check_jsonl_100_kb']/1024:.0f} MiB) | {"met" if show_time <= 1.3 else "**not met**"} |

`show` writes its report as it is built, Protocol by Protocol, while the document's model is
alive; human output is handed the marks of the findings to come (rule, severity, span), not the
findings themselves. Peak memory, `show` against `check` in the same format:

| input | `show --format json` | `check --format jsonl` | `show` (human) | `check` (human) |
|---|---|---|---|---|
| 10 MB, every Protocol wrong | {mem['show_json_wrong_kb']/1024:.0f} MiB | {mem['check_jsonl_wrong_kb']/1024:.0f} MiB | {mem['show_human_wrong_kb']/1024:.0f} MiB | {mem['check_human_wrong_kb']/1024:.0f} MiB |
| 100 MB, ~100k findings | {mem['show_json_100_kb']/1024:.0f} MiB | {mem['check_jsonl_100_kb']/1024:.0f} MiB | {mem['show_human_100_kb']/1024:.0f} MiB | {mem['check_human_100_kb']/1024:.0f} MiB |

### Realistic 10,000 files

{table(real, floor_real)}

### 100 MB with ~100k findings

{table(big, floor_big)}

### Every Protocol wrong, by format (cost per finding above the floor)

{table(dense, floor_dense)}

Per finding above the floor: """ + ", ".join(f"{n} {per_finding(n):.2f} µs" for n in dense if n != floor_dense) + f"""
{END}"""

text = open(target).read() if os.path.exists(target) else ""
if BEGIN in text and END in text:
    text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
else:
    marker = "## Where the time and the memory go"
    at = text.find(marker)
    text = (text[:at] + section + "\n\n" + text[at:]) if at >= 0 else (text.rstrip() + "\n\n" + section + "\n")
open(target, "w").write(text)
