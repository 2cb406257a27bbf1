#!/usr/bin/env python3
"""Listing benchmarks of issue #16 against the synthetic S3 listing server.

  plan       `s5j sync --dry-run` of N objects behind a round trip of
             --latency-ms, with transfer.list_workers = each of --workers;
             wall, CPU, peak RSS, list requests, objects/s into the ledger,
             and the single-stream latency floor (pages x round trip)
  interrupt  the same plan SIGKILLed when the server has answered about
             --kill-at of the pages, then run again: pages listed twice
  rgw        against the benchmark's two Ceph RGWs (bench/e2e/gateways.sh,
             started and stopped here): --objects objects of 1 byte written
             with --ceiling, planned (dry run) at each of --workers, then
             synced at the last of them (copy while listing: when the first
             object was verified, when the listing ended, when the run did)

Each run gets a fresh directory (ledger, logs) under --work. The server is
bench/listing/synthetic_s3.py, started here on --port.

Usage:
  bench/listing/listing_bench.py --s5j build/s5j plan --objects 2000000 --workers 1 8
  bench/listing/listing_bench.py --s5j build/s5j interrupt --objects 2000000
  bench/listing/listing_bench.py --s5j build-bench/s5j rgw --objects 100000 --workers 1 8 \
      --ceiling build-bench/bench/s5j_ceiling
"""
import argparse
import datetime
import json
import math
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class SyntheticServer:
    def __init__(self, port, objects, latency_ms, layout, count_file):
        self.count_file = count_file
        args = [sys.executable, os.path.join(HERE, "synthetic_s3.py"), "--port", str(port), "--objects",
                str(objects), "--latency-ms", str(latency_ms), "--layout", layout, "--count-file", count_file,
                "--count-every"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        self.proc.stdout.readline()  # "listening on ..."

    def counts(self):
        """(list requests, range pages) answered so far."""
        try:
            with open(self.count_file) as f:
                total, pages = f.read().split()
                return int(total), int(pages)
        except (FileNotFoundError, ValueError):
            return 0, 0

    def list_requests(self):
        return self.counts()[0]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()


def write_config(run_dir, sides, list_workers):
    """A job config: `sides` maps source/destination to endpoint, bucket, prefix and keys."""
    text = ""
    for side in ("source", "destination"):
        g = sides[side]
        prefix = f"  prefix: {g['prefix']}\n" if g.get("prefix") else ""
        text += (f"{side}:\n  bucket: {g['bucket']}\n{prefix}  region: us-east-1\n"
                 f"  endpoint_urls: [{g['endpoint']}]\n  access_key: {g['ak']}\n  secret_access_key: {g['sk']}\n")
    text += f"transfer:\n  list_workers: {list_workers}\n"
    text += f"ledger:\n  path: {os.path.join(run_dir, 'ledger.db')}\nlog:\n  dir: {os.path.join(run_dir, 'logs')}\n"
    path = os.path.join(run_dir, "config.yaml")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


def synthetic_sides(port):
    keys = {"endpoint": f"http://127.0.0.1:{port}", "ak": "BENCHACCESSKEY000001",
            "sk": "benchsecret0000000000000000000000000001"}
    return {"source": dict(keys, bucket="src"), "destination": dict(keys, bucket="dst")}


def phase_seconds(run_dir, start_event, end_event):
    """Seconds between two events of the run's event log (None when absent)."""
    times = {}
    log_dir = os.path.join(run_dir, "logs")
    for name in sorted(os.listdir(log_dir)) if os.path.isdir(log_dir) else []:
        with open(os.path.join(log_dir, name)) as f:
            for line in f:
                e = json.loads(line)
                if e.get("event") in (start_event, end_event) and e["event"] not in times:
                    times[e["event"]] = datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    if start_event in times and end_event in times:
        return round((times[end_event] - times[start_event]).total_seconds(), 2)
    return None


def plan(args):
    pages = math.ceil(args.objects / 1000)
    floor = pages * args.latency_ms / 1000.0
    rows = []
    for workers in args.workers:
        run_dir = tempfile.mkdtemp(prefix="s5j-listing-", dir=args.work)
        count = os.path.join(run_dir, "requests")
        server = SyntheticServer(args.port, args.objects, args.latency_ms, args.layout, count)
        try:
            cfg = write_config(run_dir, synthetic_sides(args.port), workers)
            # wait4: the CPU and peak RSS of this child alone.
            start = time.monotonic()
            proc = subprocess.Popen([args.s5j, "sync", "-c", cfg, "--dry-run", "--no-progress"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.monotonic() - start
            err = proc.stderr.read()
            code = os.waitstatus_to_exitcode(status)
            if code != 0:
                sys.stderr.write(err)
            requests = server.list_requests()
        finally:
            server.stop()
        ledger_bytes = sum(os.path.getsize(os.path.join(run_dir, f)) for f in os.listdir(run_dir)
                           if f.startswith("ledger.db"))
        row = {"objects": args.objects, "layout": args.layout, "latency_ms": args.latency_ms,
               "list_workers": workers, "exit": code, "wall_s": round(wall, 2),
               "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
               "list_requests": requests, "floor_s": round(floor, 1), "wall_over_floor": round(wall / floor, 3) if floor else None,
               "listing_s": phase_seconds(run_dir, "recovered", "source_listed"),
               "plan_s": phase_seconds(run_dir, "recovered", "plan_done"),
               "objects_per_s": round(args.objects / wall), "ledger_bytes": ledger_bytes}
        rows.append(row)
        print(json.dumps(row), flush=True)
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    return rows


def interrupt(args):
    pages = math.ceil(args.objects / 1000)
    run_dir = tempfile.mkdtemp(prefix="s5j-listing-kill-", dir=args.work)
    count = os.path.join(run_dir, "requests")
    server = SyntheticServer(args.port, args.objects, args.latency_ms, args.layout, count)
    try:
        cfg = write_config(run_dir, synthetic_sides(args.port), args.workers[0])
        kill_at = int(pages * args.kill_at)
        start = time.monotonic()
        proc = subprocess.Popen([args.s5j, "sync", "-c", cfg, "--dry-run", "--no-progress"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None and server.counts()[1] < kill_at:
            time.sleep(0.005)
        proc.kill()
        proc.wait()
        first_wall = time.monotonic() - start
        first, first_pages = server.counts()
        # The pages the ledger holds: committed with their ranges' cursors.
        db = sqlite3.connect(os.path.join(run_dir, "ledger.db"))
        committed_pages, committed_objects = db.execute(
            "SELECT coalesce(sum(pages), 0), coalesce(sum(objects), 0) FROM listing_ranges").fetchone()
        db.close()
        start = time.monotonic()
        second_proc = subprocess.run([args.s5j, "sync", "-c", cfg, "--dry-run", "--no-progress"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        second_wall = time.monotonic() - start
        total = server.list_requests()
    finally:
        server.stop()
    # Listed twice: the range pages answered before the kill whose records
    # (and cursors) were not committed yet.
    repeated = first_pages - committed_pages
    row = {"objects": args.objects, "pages": pages, "list_workers": args.workers[0],
           "first_run_requests": first, "first_run_range_pages": first_pages,
           "committed_pages": committed_pages, "committed_objects": committed_objects,
           "first_wall_s": round(first_wall, 2), "second_exit": second_proc.returncode,
           "second_wall_s": round(second_wall, 2), "requests_both_runs": total,
           "requests_second_run": total - first, "repeated_pages": repeated,
           "repeated_fraction": round(repeated / pages, 4)}
    print(json.dumps(row), flush=True)
    if second_proc.returncode != 0:
        sys.stderr.write(second_proc.stderr)
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return row


GATEWAYS = os.path.join(HERE, "..", "e2e", "gateways.sh")
RGW_SRC = {"endpoint": "http://127.0.0.1:18480", "bucket": "bench-src", "ak": "BENCHSRCACCESSKEY001",
           "sk": "benchsrcsecret00000000000000000000000001"}
RGW_DST = {"endpoint": "http://127.0.0.1:18482", "bucket": "bench-dst", "ak": "BENCHDSTACCESSKEY001",
           "sk": "benchdstsecret00000000000000000000000001"}


def rgw_sides(prefix):
    return {"source": dict(RGW_SRC, prefix=prefix), "destination": dict(RGW_DST, prefix=prefix)}


def event_offsets(run_dir, names):
    """Seconds from run_started to the first event of each name (None when absent), and those events."""
    first, found = {}, {}
    log_dir = os.path.join(run_dir, "logs")
    for name in sorted(os.listdir(log_dir)) if os.path.isdir(log_dir) else []:
        with open(os.path.join(log_dir, name)) as f:
            for line in f:
                e = json.loads(line)
                ev = e.get("event")
                if ev in names or ev == "run_started":
                    if ev not in first:
                        first[ev] = datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
                        found[ev] = e
    start = first.get("run_started")
    return ({n: round((first[n] - start).total_seconds(), 2) if start and n in first else None for n in names},
            found)


def timed(argv):
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write(proc.stderr.read())
    return code, wall, usage


def rgw(args):
    prefix = f"plan{args.objects}/"
    subprocess.run([GATEWAYS, "start", "all"], check=True)
    try:
        env = dict(os.environ, BENCH_ACCESS_KEY=RGW_SRC["ak"], BENCH_SECRET_KEY=RGW_SRC["sk"])
        start = time.monotonic()
        subprocess.run([args.ceiling, "generate", "--endpoint", RGW_SRC["endpoint"], "--bucket", RGW_SRC["bucket"],
                        "--prefix", prefix, "--count", str(args.objects), "--size", "1", "--concurrency", "64"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        print(json.dumps({"generated": args.objects, "seconds": round(time.monotonic() - start, 1)}), flush=True)
        for workers in args.workers:
            run_dir = tempfile.mkdtemp(prefix="s5j-listing-rgw-", dir=args.work)
            cfg = write_config(run_dir, rgw_sides(prefix), workers)
            code, wall, usage = timed([args.s5j, "sync", "-c", cfg, "--dry-run", "--no-progress"])
            offsets, events = event_offsets(run_dir, ["source_listed", "plan_done"])
            listed = events.get("source_listed", {})
            print(json.dumps({"mode": "plan", "objects": args.objects, "list_workers": workers, "exit": code,
                              "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                              "peak_rss_mib": round(usage.ru_maxrss / 1024, 1), "listed_at_s": offsets["source_listed"],
                              "pages": listed.get("pages"), "ranges": listed.get("ranges"),
                              "objects_per_s": round(args.objects / wall)}), flush=True)
            if not args.keep:
                shutil.rmtree(run_dir, ignore_errors=True)
        # The copy of them all, the copy starting while the listing goes on.
        run_dir = tempfile.mkdtemp(prefix="s5j-listing-rgw-sync-", dir=args.work)
        cfg = write_config(run_dir, rgw_sides(prefix), args.workers[-1])
        code, wall, usage = timed([args.s5j, "sync", "-c", cfg, "--no-progress"])
        offsets, events = event_offsets(run_dir, ["object_verified", "source_listed", "plan_done", "run_summary"])
        summary = events.get("run_summary", {})
        print(json.dumps({"mode": "sync", "objects": args.objects, "list_workers": args.workers[-1], "exit": code,
                          "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                          "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
                          "first_verified_at_s": offsets["object_verified"],
                          "listing_ended_at_s": offsets["source_listed"], "run_ended_at_s": offsets["run_summary"],
                          "copied": summary.get("copied")}), flush=True)
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    finally:
        subprocess.run([GATEWAYS, "stop", "all"])


def main():
    p = argparse.ArgumentParser(description="s5j listing benchmarks (issue #16)")
    p.add_argument("--s5j", required=True)
    p.add_argument("mode", choices=["plan", "interrupt", "rgw"])
    p.add_argument("--objects", type=int, default=2_000_000)
    p.add_argument("--latency-ms", type=float, default=25.0)
    p.add_argument("--layout", choices=["flat", "tree"], default="tree")
    p.add_argument("--workers", type=int, nargs="+", default=[8])
    p.add_argument("--kill-at", type=float, default=0.5)
    p.add_argument("--port", type=int, default=9400)
    p.add_argument("--work", default=os.environ.get("S5J_BENCH_DIR", tempfile.gettempdir()))
    p.add_argument("--keep", action="store_true")
    p.add_argument("--ceiling", default="build-bench/bench/s5j_ceiling", help="rgw: writes the objects")
    args = p.parse_args()
    {"plan": plan, "interrupt": interrupt, "rgw": rgw}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
