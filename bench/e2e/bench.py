#!/usr/bin/python3
"""End-to-end benchmark: s5j against rclone, `aws s3` and a minimal client
(the ceiling) on the same data, between the two local RADOS Gateways that
bench/run.sh starts (bench/e2e/gateways.sh). Standard library only, apart
from botocore's SigV4 signer inside s3lite (Debian python3-botocore).

Run it through bench/run.sh, which installs, builds and starts the gateways.
Workloads, metrics and targets: docs/performance.md.
"""
import argparse
import datetime
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from s3lite import Side  # noqa: E402

BENCH_DIR = os.environ.get("BENCH_DIR", "/tmp/s5j-bench")
RCLONE = "/usr/bin/rclone"
AWS = "/usr/bin/aws"  # Debian's awscli, not whatever `aws` is first on PATH
GNU_TIME = "/usr/bin/time"

SRC = dict(name="src", endpoint="http://127.0.0.1:18480", bucket="bench-src",
           ak="BENCHSRCACCESSKEY001", sk="benchsrcsecret00000000000000000000000001")
DST = dict(name="dst", endpoint="http://127.0.0.1:18482", bucket="bench-dst",
           ak="BENCHDSTACCESSKEY001", sk="benchdstsecret00000000000000000000000001")

KIB, MIB, GIB = 1024, 1024 * 1024, 1024 * 1024 * 1024


def mixed_sizes(mode):
    """W6, a mixed archive: sizes spread from 1 KiB to 1 GiB. Drawn so: a
    geometric ladder of `big` objects from exactly 1 KiB to exactly the top
    size (equal ratios between neighbours: every octave equally present,
    which puts most of the bytes in the few largest objects, as in a real
    archive), plus `small` objects drawn log-uniformly between 1 KiB and
    1 MiB with a fixed seed (22), the many small files an archive also has.
    The same list every run."""
    big, small, top = (32, 968, GIB) if mode == "full" else (16, 184, 64 * MIB)
    lo, hi = 10, top.bit_length() - 1
    ladder = [round(2 ** (lo + (hi - lo) * i / (big - 1))) for i in range(big)]
    rng = random.Random(22)
    return ladder + [round(2 ** rng.uniform(10, 20)) for _ in range(small)]


# dataset -> (prefix, objects, bytes each; None: the sizes of mixed_sizes())
SIZES = {
    "full": {"small": ("w1/", 10_000, 16 * KIB), "large": ("w2/", 8, 256 * MIB), "many": ("w5/", 100_000, 1 * KIB),
             "large-mp8": ("w2-mp8/", 8, 256 * MIB), "large-mp50": ("w2-mp50/", 8, 256 * MIB),
             "mixed": ("w6/", len(mixed_sizes("full")), None)},
    "quick": {"small": ("w1/", 1_000, 16 * KIB), "large": ("w2/", 2, 64 * MIB), "many": ("w5/", 10_000, 1 * KIB),
              "large-mp8": ("w2-mp8/", 2, 64 * MIB), "large-mp50": ("w2-mp50/", 2, 64 * MIB),
              "mixed": ("w6/", len(mixed_sizes("quick")), None)},
}
# datasets written as multipart uploads, with this part size, for objects
# larger than it: the AWS CLI's and SDKs' 8 MiB, s5cmd's 50 MiB
PART_SIZES = {"large-mp8": 8 * MIB, "large-mp50": 50 * MIB, "mixed": 8 * MIB}
WORKLOADS = ["W1", "W2", "W2-MP8", "W2-MP50", "W3", "W4", "W5", "W6"]
# the W2 shapes: workload -> dataset
W2_SHAPES = {"W2": "large", "W2-MP8": "large-mp8", "W2-MP50": "large-mp50"}
HOP_TIMEOUT = 900  # seconds; any single command taking longer is killed and counted as failed
# Every run writes into a new, empty destination bucket. The destination
# gateway keeps objects in RAM, so once the runs since its start would have
# cost its OSD more than DST_BUDGET it is restarted (a fresh gateway, ~4 s)
# instead: deleting from RGW is slow (~13 s per 10,000 objects), frees
# nothing until its garbage collection runs, and that would run under the
# next measurement. Memstore's cost, measured here: about twice the payload
# of large objects and ~15 KB per small object (with gateways.sh's short PG
# log). 8.5 GiB (two runs of W2) keeps the benchmark near 15 GiB of RAM in
# all (source included; an estimate from those costs) on a 24 GiB machine;
# restarting before every W2 run instead cost 4 s per run of the 20 minutes.
DST_BUDGET = 17 << 29
DST_COST_PER_OBJECT = 16 * 1024
# A peer other than rclone is run again only while its first run took less
# than this many times rclone's first run of the same workload (see
# Bench.wanted): beyond it no median of its runs could make it the faster peer
# a W3 target is judged against, even where its figure is a two-hop and
# rclone's a direct copy (rclone's two-hop takes 1.4-1.7x its direct copy).
PEER_CONTENTION = 2.5


def log(msg):
    print(msg, flush=True)


# --------------------------------------------------------------------------- environment
def child_env(extra=None):
    """The environment every measured command gets: nothing from the caller's
    AWS_*/proxy/Python settings (a stray AWS_CA_BUNDLE breaks rclone; a proxy
    would take loopback traffic elsewhere), plus the harness's own files."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "RCLONE_", "PYTHON", "S3_"))
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update({
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        "RCLONE_CONFIG": os.path.join(BENCH_DIR, "rclone.conf"),
        "AWS_CONFIG_FILE": os.path.join(BENCH_DIR, "aws.cfg"),
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "LC_ALL": "C.UTF-8",
    })
    env.update(extra or {})
    return env


def write_peer_configs(conc):
    with open(os.path.join(BENCH_DIR, "rclone.conf"), "w") as f:
        for s in (SRC, DST):
            f.write(f"[{s['name']}]\ntype = s3\nprovider = Ceph\naccess_key_id = {s['ak']}\n"
                    f"secret_access_key = {s['sk']}\nendpoint = {s['endpoint']}\nregion = us-east-1\n"
                    f"force_path_style = true\n\n")
    os.chmod(os.path.join(BENCH_DIR, "rclone.conf"), 0o600)
    with open(os.path.join(BENCH_DIR, "aws.cfg"), "w") as f:
        f.write(f"[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = {conc}\n"
                f"  addressing_style = path\n")


def side(s, bucket=None):
    return Side(s["endpoint"], bucket or s["bucket"], s["ak"], s["sk"])


# --------------------------------------------------------------------------- measuring
def parse_gnu_time(path):
    out = {}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            for key, name in (("User time (seconds):", "user_s"), ("System time (seconds):", "sys_s"),
                              ("Maximum resident set size (kbytes):", "rss_kb"), ("Exit status:", "exit")):
                if line.startswith(key):
                    v = line[len(key):].strip()
                    out[name] = float(v) if name.endswith("_s") else int(v)
    return out


def run_timed(argv, env, logf, cwd, timeout=HOP_TIMEOUT):
    """Run argv under GNU time -v; returns wall (monotonic), user+sys CPU of
    the whole process tree (the waited-for children included), peak RSS."""
    fd, tfile = tempfile.mkstemp(prefix="gnutime-", dir=BENCH_DIR)
    os.close(fd)
    logf.write(f"$ {' '.join(argv)}\n")
    logf.flush()
    t0 = time.monotonic()
    p = subprocess.Popen([GNU_TIME, "-v", "-o", tfile] + argv, env=env, cwd=cwd, stdout=logf,
                         stderr=subprocess.STDOUT, start_new_session=True)
    timed_out = False
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        rc = p.wait()
    except BaseException:  # interrupted (SIGTERM/SIGINT): the tool runs in its own session, end it too
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        os.unlink(tfile)
        raise
    wall = time.monotonic() - t0
    m = parse_gnu_time(tfile)
    os.unlink(tfile)
    user, sys_ = m.get("user_s", 0.0), m.get("sys_s", 0.0)
    r = dict(wall_s=wall, user_s=user, sys_s=sys_, cpu_s=user + sys_, rss_kb=m.get("rss_kb", 0),
             exit=rc, ok=(rc == 0 and not timed_out))
    if timed_out:
        r["timed_out"] = True
        r["error"] = f"timed out after {timeout:.0f} s"
    elif rc != 0:
        r["error"] = f"exit status {rc}"
    return r


def run_hops(hops, logpath, cwd, limit=None):
    """Run the hops of one measured run in order; wall and CPU add up, RSS is
    the largest of any hop. Stops at the first failing hop, and once the hops
    together have taken `limit` seconds (the run is then "stopped", see
    Bench.contention_limit)."""
    total = dict(wall_s=0.0, user_s=0.0, sys_s=0.0, cpu_s=0.0, rss_kb=0, ok=True, hops=[])
    with open(logpath, "a") as logf:
        for argv, env in hops:
            timeout = HOP_TIMEOUT if limit is None else min(HOP_TIMEOUT, max(limit - total["wall_s"], 1.0))
            r = run_timed(argv, env, logf, cwd, timeout)
            total["hops"].append({k: r[k] for k in ("wall_s", "cpu_s", "rss_kb", "exit")})
            for k in ("wall_s", "user_s", "sys_s", "cpu_s"):
                total[k] += r[k]
            total["rss_kb"] = max(total["rss_kb"], r["rss_kb"])
            if not r["ok"]:
                total["ok"] = False
                total["error"] = r["error"]
                if r.get("timed_out") and timeout < HOP_TIMEOUT:
                    total["stopped_after_s"] = limit
                    total["error"] = f"stopped after {limit:.1f} s"
                break
    return total


def tail(path, n=5):
    try:
        with open(path, errors="replace") as f:
            return " | ".join(l.strip() for l in f.readlines()[-n:])[-600:]
    except OSError:
        return ""


# --------------------------------------------------------------------------- the harness
class Bench:
    def __init__(self, args):
        self.a = args
        self.mode = "quick" if args.quick else "full"
        self.ds = SIZES[self.mode]
        self.c = args.concurrency
        # --s5j-metrics: W1 and W3 also run s5j serving /metrics on a port of the
        # system's choice ("s5j-metrics", "s5j-relay-metrics"), alternating with
        # the runs without it, so the A/B shares the machine's state.
        self.s5j_metrics = ["--metrics-addr", "127.0.0.1:0"]
        self.s5j = os.path.abspath(args.s5j) if args.s5j else None
        self.ceiling = os.path.abspath(args.ceiling)
        if not os.access(self.ceiling, os.X_OK):
            sys.exit(f"bench: the ceiling {self.ceiling} is not an executable (bench/run.sh builds it)")
        self.only = [w.strip().upper() for w in args.only.split(",")] if args.only else WORKLOADS
        bad = [w for w in self.only if w not in WORKLOADS]
        if bad:
            sys.exit(f"bench: unknown workload(s) {','.join(bad)}; choose from {','.join(WORKLOADS)}")
        self.results = {}  # (workload, tool) -> entry
        self.order = []
        self.runs_dir = os.path.join(BENCH_DIR, "runs")
        self.trash_dir = os.path.join(self.runs_dir, "done")
        self.logs_dir = os.path.join(BENCH_DIR, "logs")
        for d in (self.runs_dir, self.logs_dir):
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
        self.t_start = time.monotonic()
        self.phases = {}
        self.dst_written, self.bucket_seq, self.restarts = 0, 0, 0
        self.machine = machine_info()  # load average before the benchmark's own load
        self.caps = self.detect_s5j()

    # ---- s5j capabilities: the commands are being written; absent ones become "n/a"
    def s5j_help(self, cmd):
        if not self.s5j or not os.access(self.s5j, os.X_OK):
            return None
        try:
            r = subprocess.run([self.s5j, cmd, "--help"], capture_output=True, text=True, timeout=30,
                               env=child_env())
        except (OSError, subprocess.TimeoutExpired):
            return None
        # CLI11 answers `s5j UNKNOWN --help` with the top-level help and status 0,
        # so the usage line must name the subcommand.
        if r.returncode != 0 or not re.search(rf"^Usage: \S+ {cmd}\b", r.stdout, re.M):
            return None
        return r.stdout

    def detect_s5j(self):
        sync, relay = self.s5j_help("sync"), self.s5j_help("relay")
        caps = {
            "sync": sync is not None,
            "dry_run": sync is not None and "--dry-run" in sync,
            "relay": relay is not None and "--once" in relay,
            "no_progress": sync is not None and "--no-progress" in sync,
        }
        caps["relay_no_progress"] = relay is not None and "--no-progress" in relay
        return caps

    def na(self, cap):
        return {"sync": "n/a (s5j sync not available)", "dry_run": "n/a (s5j sync --dry-run not available)",
                "relay": "n/a (s5j relay not available)"}[cap]

    # ---- gateways and data
    def sizes(self, ds):
        prefix, count, size = self.ds[ds]
        return mixed_sizes(self.mode) if size is None else [size] * count

    def total(self, ds):
        return sum(self.sizes(ds))

    def restart_dst(self):
        subprocess.run([os.path.join(HERE, "gateways.sh"), "restart", "dst"], check=True, timeout=300)
        self.restarts += 1
        self.dst_written = 0
        # the first object write on a fresh gateway creates its data pool: do it here, untimed
        conn = side(DST).connect()
        side(DST).put_stream(conn, "warmup/x", 4, [b"warm"])
        conn.close()

    def fresh_bucket(self, ds, writes=True):
        """A new empty destination bucket for one run (see DST_BUDGET)."""
        prefix, count, size = self.ds[ds]
        need = (2 * self.total(ds) + DST_COST_PER_OBJECT * count) if writes else 0
        if self.dst_written and self.dst_written + need > DST_BUDGET:
            self.restart_dst()
        self.dst_written += need
        self.bucket_seq += 1
        name = f"bench-dst-{self.bucket_seq:03d}"
        side(DST, name).create_bucket()
        return name

    def generate(self, which):
        prefix, count, size = self.ds[which]
        t0 = time.monotonic()
        env = child_env({"BENCH_ACCESS_KEY": SRC["ak"], "BENCH_SECRET_KEY": SRC["sk"]})
        argv = [self.ceiling, "generate", "--endpoint", SRC["endpoint"], "--bucket", SRC["bucket"],
                "--prefix", prefix, "--concurrency", "64"]
        if size is None:
            sizes_file = os.path.join(BENCH_DIR, f"sizes-{which}.txt")
            with open(sizes_file, "w") as f:
                f.write("".join(f"{n}\n" for n in self.sizes(which)))
            argv += ["--sizes-file", sizes_file]
        else:
            argv += ["--count", str(count), "--size", str(size)]
        if which in PART_SIZES:
            argv += ["--part-size", str(PART_SIZES[which])]
        r = subprocess.run(argv, env=env, timeout=1800, stdout=subprocess.DEVNULL)
        got = side(SRC).list_objects(prefix)
        if r.returncode != 0 or len(got) != count or sum(s for _, s in got) != self.total(which):
            sys.exit(f"bench: generating {which} data failed ({len(got)} of {count} objects present)")
        dt = time.monotonic() - t0
        shape = (f"{count:,} x {fmt_size(size)}" if size is not None
                 else f"{count:,} objects, {fmt_size(min(self.sizes(which)))} to {fmt_size(max(self.sizes(which)))}, "
                      f"{self.total(which) / GIB:.2f} GiB")
        parts = f", multipart above {fmt_size(PART_SIZES[which])}" if which in PART_SIZES else ""
        log(f"  data {which}: {shape}{parts} under {SRC['bucket']}/{prefix} in {dt:.1f} s")
        self.phases[f"generate {which}"] = round(dt, 1)

    # ---- configs and commands
    def s5j_config(self, rd, ds, dst_bucket, staging=False):
        prefix = self.ds[ds][0]
        path = os.path.join(rd, "config.yaml")
        sides = []
        for key, s, bucket in (("source", SRC, SRC["bucket"]), ("destination", DST, dst_bucket)):
            sides.append(f"{key}:\n  bucket: {bucket}\n  bucket_prefix: {prefix}\n  region: us-east-1\n"
                         f"  endpoint_urls: [{s['endpoint']}]\n  access_key: {s['ak']}\n"
                         f"  secret_access_key: {s['sk']}\n")
        text = "".join(sides) + f"transfer:\n  workers: {self.c}\n"
        if staging:
            vols = [os.path.join(rd, "stage1"), os.path.join(rd, "stage2")]
            for v in vols:
                os.makedirs(v, exist_ok=True)
            text += f"staging:\n  volumes: [{', '.join(vols)}]\n"
        text += f"ledger:\n  path: {os.path.join(rd, 'ledger.db')}\nlog:\n  dir: {os.path.join(rd, 'logs')}\n"
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        return path

    def hops(self, tool, ds, rd, dst_bucket, first=True):
        """The command(s) of one run: a list of (argv, env)."""
        prefix = self.ds[ds][0]
        env = child_env()
        rc_common = ["--transfers", str(self.c), "--checkers", str(self.c)]
        src_url, dst_url = f"src:{SRC['bucket']}/{prefix}", f"dst:{dst_bucket}/{prefix}"
        hop_dir = os.path.join(rd, "hop")
        os.makedirs(hop_dir, exist_ok=True)
        aws_src = child_env({"AWS_ACCESS_KEY_ID": SRC["ak"], "AWS_SECRET_ACCESS_KEY": SRC["sk"]})
        aws_dst = child_env({"AWS_ACCESS_KEY_ID": DST["ak"], "AWS_SECRET_ACCESS_KEY": DST["sk"]})
        s3src, s3dst = f"s3://{SRC['bucket']}/{prefix}", f"s3://{dst_bucket}/{prefix}"
        np = ["--no-progress"] if self.caps["no_progress"] else []
        if tool in ("s5j", "s5j-metrics"):
            cfg = os.path.join(rd, "config.yaml") if not first else self.s5j_config(rd, ds, dst_bucket)
            metrics = self.s5j_metrics if tool == "s5j-metrics" else []
            return [([self.s5j, "sync", "-c", cfg] + np + metrics, env)]
        if tool in ("s5j-relay", "s5j-relay-metrics"):
            cfg = self.s5j_config(rd, ds, dst_bucket, staging=True)
            rnp = ["--no-progress"] if self.caps["relay_no_progress"] else []
            metrics = self.s5j_metrics if tool == "s5j-relay-metrics" else []
            return [([self.s5j, "relay", "-c", cfg, "--once"] + rnp + metrics, env)]
        if tool == "s5j-plan":
            cfg = self.s5j_config(rd, ds, dst_bucket)
            return [([self.s5j, "sync", "-c", cfg, "--dry-run"] + np, env)]
        if tool == "rclone":
            return [([RCLONE, "sync", src_url, dst_url] + rc_common, env)]
        if tool == "rclone-2hop":
            return [([RCLONE, "sync", src_url, hop_dir] + rc_common, env),
                    ([RCLONE, "sync", hop_dir, dst_url] + rc_common, env)]
        if tool == "rclone-plan":
            return [([RCLONE, "sync", "--dry-run", src_url, dst_url] + rc_common, env)]
        if tool == "aws-2hop":
            return [([AWS, "s3", "sync", "--only-show-errors", s3src, hop_dir, "--endpoint-url", SRC["endpoint"]], aws_src),
                    ([AWS, "s3", "sync", "--only-show-errors", hop_dir, s3dst, "--endpoint-url", DST["endpoint"]], aws_dst)]
        if tool in ("ceiling", "ceiling-staged"):
            cenv = child_env({"BENCH_SRC_ACCESS_KEY": SRC["ak"], "BENCH_SRC_SECRET_KEY": SRC["sk"],
                              "BENCH_DST_ACCESS_KEY": DST["ak"], "BENCH_DST_SECRET_KEY": DST["sk"]})
            staged = ["--stage-dir", os.path.join(rd, "stage")] if tool == "ceiling-staged" else []
            return [([self.ceiling, "copy", "--src-endpoint", SRC["endpoint"], "--src-bucket", SRC["bucket"],
                      "--dst-endpoint", DST["endpoint"], "--dst-bucket", dst_bucket, "--prefix", prefix,
                      "--concurrency", str(self.c)] + staged, cenv)]
        raise ValueError(tool)

    # ---- results
    def entry(self, wl, tool, label, ds, note=""):
        key = (wl, tool)
        if key not in self.results:
            prefix, count, size = self.ds[ds]
            self.results[key] = dict(workload=wl, tool=tool, label=label, dataset=ds, objects=count,
                                     bytes=self.total(ds), status="ok", note=note, commands=[], runs=[])
            self.order.append(key)
        return self.results[key]

    def mark_na(self, wl, tool, label, ds, cap):
        e = self.entry(wl, tool, label, ds)
        e["status"], e["note"] = "n/a", self.na(cap)

    def verify(self, ds, dst_bucket, expect_copy):
        """What the run left at the destination: everything (a copy) or nothing (a plan)."""
        prefix, count, size = self.ds[ds]
        got = side(DST, dst_bucket).list_objects(prefix)
        n, b = len(got), sum(s for _, s in got)
        if expect_copy and (n, b) != (count, self.total(ds)):
            return f"destination has {n} objects / {b} bytes, expected {count} / {self.total(ds)}"
        if not expect_copy and n:
            return f"a plan-only run wrote {n} objects to the destination"
        return None

    def measure(self, wl, tool, label, ds, rd, rep, dst_bucket, record=True, first=True, expect_copy=True):
        hops = self.hops(tool, ds, rd, dst_bucket, first)
        logpath = os.path.join(self.logs_dir, f"{wl}-{tool}-r{rep}.log")
        limit = self.contention_limit(wl, tool) if rep == 1 and record else None
        r = run_hops(hops, logpath, rd, limit)
        if r["ok"]:
            err = self.verify(ds, dst_bucket, expect_copy)
            if err:
                r["ok"], r["error"] = False, err
        r["log"] = logpath
        prefix, count, size = self.ds[ds]
        r["objects_per_s"] = count / r["wall_s"] if r["wall_s"] else 0.0
        if tool.startswith("s5j"):
            # What the run's event logs took on disk, per object (log.* at defaults).
            logs = os.path.join(rd, "logs")
            total = sum(e.stat().st_size for e in os.scandir(logs) if e.is_file()) if os.path.isdir(logs) else 0
            r["log_bytes_per_object"] = total / count if count else 0.0
        r["mb_per_s"] = self.total(ds) / 1e6 / r["wall_s"] if r["wall_s"] else 0.0
        status = ("ok" if r["ok"] else f"{r['error']}: out of contention" if r.get("stopped_after_s")
                  else f"FAILED: {r.get('error')}: {tail(logpath, 3)}")
        log_size = f"log {r['log_bytes_per_object']:.0f} B/object  " if "log_bytes_per_object" in r else ""
        log(f"  [{wl} run {rep}] {label:<16} wall {r['wall_s']:7.2f} s  cpu {r['cpu_s']:7.2f} s  "
            f"rss {r['rss_kb'] / 1024:7.1f} MiB  {log_size}{status}{'' if record else '  (preparation, not recorded)'}")
        if record:
            e = self.entry(wl, tool, label, ds)
            if not e["commands"]:
                e["commands"] = [" ".join(argv) for argv, _ in hops]
            e["runs"].append(r)
            if r.get("stopped_after_s"):
                e["note"] = (f"stopped after {r['stopped_after_s']:.0f} s, {PEER_CONTENTION}x rclone's first run: "
                             "no run this slow could make it the faster peer")
        return r

    def new_run_dir(self, name):
        rd = os.path.join(self.runs_dir, name)
        shutil.rmtree(rd, ignore_errors=True)
        os.makedirs(rd)
        return rd

    def set_aside(self, rd):
        """A finished run's directory, moved out of the way and deleted only
        after the last measurement, so that no run follows the harness's own
        deletion of 10,000 files: on this machine's journal-less ext4 a fresh
        deletion is suspected to make the next file-creating run pay (the
        kernel skips recently freed inodes; figures in docs/performance.md,
        "Fair runs")."""
        os.makedirs(self.trash_dir, exist_ok=True)
        os.rename(rd, os.path.join(self.trash_dir, os.path.basename(rd)))

    # ---- how often each tool runs
    def wanted(self, wl, tool, rep):
        """Whether `tool` runs in round `rep` of workload `wl`. s5j and rclone
        run every round: every target is a ratio of their medians (in W3, of
        the faster peer's). The other two are run less, or the benchmark could
        not finish in 20 minutes on this machine (aws alone took 10.4 of the
        31.2 minutes at three rounds everywhere):
        - the ceiling marks the servers' limit, which a missed wall target is
          explained against: one run, in the middle round;
        - aws is repeated only while it might be the faster peer: its first
          run within PEER_CONTENTION x rclone's (and that first run is
          stopped beyond it, see contention_limit)."""
        if tool.startswith("ceiling"):
            return rep == (self.a.runs + 1) // 2
        if tool.startswith("aws") and rep > 1:
            return not self.out_of_contention(wl, tool)
        return True

    def rclone_first_run(self, wl):
        """rclone's first run of `wl` (its direct copy, or its two-hop in a W3
        workload of its own) if it succeeded: what aws is measured against."""
        rclone = next((e for (w, t), e in self.results.items() if w == wl and t.startswith("rclone")), None)
        r0 = rclone["runs"][0] if rclone and rclone["runs"] else None
        return r0 if r0 and r0["ok"] and r0["wall_s"] > 0 else None

    def out_of_contention(self, wl, tool):
        mine = self.results.get((wl, tool))
        if not (mine and mine["runs"]):
            return False
        m0 = mine["runs"][0]
        if m0.get("stopped_after_s"):
            return True
        r0 = self.rclone_first_run(wl)
        if not (r0 and m0["ok"]):
            return False
        factor = m0["wall_s"] / r0["wall_s"]
        if factor <= PEER_CONTENTION:
            return False
        mine["note"] = f"1 run: {factor:.1f}x rclone's first, no more could change a verdict"
        return True

    def contention_limit(self, wl, tool):
        """How long the first run of a peer other than rclone may take before it
        is stopped: PEER_CONTENTION x rclone's first run of the same workload,
        the point beyond which wanted() would not run it again. Its one figure
        would only show how far out of contention it is, and aws's two-hop of
        W1 took 120-130 s of the 20 minutes (docs/performance.md, "Duration")."""
        r0 = self.rclone_first_run(wl) if tool.startswith("aws") else None
        return PEER_CONTENTION * r0["wall_s"] if r0 else None

    # ---- phases
    def phase_small(self):
        """W1 (10,000 x 16 KiB sync) and W4 (its no-op re-sync, from the completed
        destination and, for s5j, the same ledger), alternating tools."""
        w1, w4 = "W1" in self.only, "W4" in self.only
        tools = [("s5j", "s5j sync", "sync"), ("rclone", "rclone sync", None), ("aws-2hop", "aws (2-hop)", None)]
        if w1:
            tools.append(("ceiling", "ceiling", None))
            if self.a.s5j_metrics:
                tools.insert(1, ("s5j-metrics", "s5j sync+metrics", "sync"))
        for tool, label, cap in tools:
            if cap and not self.caps[cap]:
                if w1:
                    self.mark_na("W1", tool, label, "small", cap)
                if w4:
                    self.mark_na("W4", tool, label, "small", cap)
        for rep in range(1, self.a.runs + 1):
            for tool, label, cap in tools:
                if (cap and not self.caps[cap]) or not self.wanted("W1", tool, rep):
                    continue
                bucket = self.fresh_bucket("small")
                rd = self.new_run_dir(f"small-{tool}-r{rep}")
                r = self.measure("W1", tool, label, "small", rd, rep, bucket, record=w1)
                if w4 and tool not in ("ceiling", "s5j-metrics") and r["ok"]:
                    self.measure("W4", tool, label, "small", rd, rep, bucket, first=False)
                elif w4 and r.get("stopped_after_s"):
                    e = self.entry("W4", tool, label, "small")
                    e["status"], e["note"] = "n/a", "not run: it re-syncs a W1 copy, and that run was stopped"
                self.set_aside(rd)
        aws1, aws4 = self.results.get(("W1", "aws-2hop")), self.results.get(("W4", "aws-2hop"))
        if aws1 and aws4 and aws4["status"] == "ok" and len(aws4["runs"]) < self.a.runs:
            aws4["note"] = "re-syncs what each W1 run of aws copied; " + aws1["note"]

    def phase_large(self):
        """W2 in its shapes: single-PUT objects (plain MD5 ETags), and the same
        sizes written as multipart uploads (8 MiB and 50 MiB parts). aws only
        in the single-PUT shape (its two-hop is no direct copy)."""
        for wl, ds in W2_SHAPES.items():
            if wl not in self.only:
                continue
            tools = [("s5j", "s5j sync", "sync"), ("rclone", "rclone sync", None), ("ceiling", "ceiling", None)]
            if wl == "W2":
                tools.insert(2, ("aws-2hop", "aws (2-hop)", None))
            log(f"-- {wl}")
            self.alternate(wl, ds, tools)

    def phase_mixed(self):
        """W6: the mixed archive (mixed_sizes), multipart above 8 MiB."""
        self.alternate("W6", "mixed", [("s5j", "s5j sync", "sync"), ("rclone", "rclone sync", None),
                                       ("ceiling", "ceiling", None)])

    def phase_relay(self):
        for ds, wl, base in (("small", "W3-small", "W1"), ("large", "W3-large", "W2")):
            tools = [("s5j-relay", "s5j relay", "relay"), ("rclone-2hop", "rclone (2-hop)", None),
                     ("ceiling-staged", "ceiling (staged)", None)]
            if self.a.s5j_metrics:
                tools.insert(1, ("s5j-relay-metrics", "s5j relay+metrics", "relay"))
            if base in self.only and ("aws-2hop" in [t for (w, t) in self.results if w == base]):
                # the very same two-hop commands on the same data were just measured
                # under W1/W2; running them again would only spend the time budget
                src = self.results[(base, "aws-2hop")]
                e = self.entry(wl, "aws-2hop", "aws (2-hop)", ds,
                               note=f"same runs as {base}" + (f"; {src['note']}" if src["note"] else ""))
                e["commands"], e["runs"], e["status"] = src["commands"], src["runs"], src["status"]
            else:
                tools.append(("aws-2hop", "aws (2-hop)", None))
            self.alternate(wl, ds, tools)

    def alternate(self, wl, ds, tools):
        for tool, label, cap in tools:
            if cap and not self.caps[cap]:
                self.mark_na(wl, tool, label, ds, cap)
        for rep in range(1, self.a.runs + 1):
            for tool, label, cap in tools:
                if (cap and not self.caps[cap]) or not self.wanted(wl, tool, rep):
                    continue
                bucket = self.fresh_bucket(ds)
                rd = self.new_run_dir(f"{wl}-{tool}-r{rep}")
                self.measure(wl, tool, label, ds, rd, rep, bucket)
                self.set_aside(rd)

    def phase_plan(self):
        """W5: list both sides and plan, against an empty destination; nothing is copied."""
        bucket = self.fresh_bucket("many", writes=False)
        for rep in range(1, self.a.runs + 1):
            for wl, ds, tools in (
                    # aws is not in W5: it has no cross-endpoint sync to plan, and its
                    # two-hop --dryrun only lists the source (the second hop compares
                    # an empty directory with the destination): 39 s of the 20 minutes
                    # at 20:32 for a figure no target uses
                    ("W5", "many", [("s5j-plan", "s5j --dry-run", "dry_run"), ("rclone-plan", "rclone --dry-run", None)]),
                    ("W5-small", "small", [("s5j-plan", "s5j --dry-run", "dry_run"),
                                           ("rclone-plan", "rclone --dry-run", None)])):
                for tool, label, cap in tools:
                    if cap and not self.caps[cap]:
                        if rep == 1:
                            self.mark_na(wl, tool, label, ds, cap)
                        continue
                    if not self.wanted(wl, tool, rep):
                        continue
                    rd = self.new_run_dir(f"{wl}-{tool}-r{rep}")
                    self.measure(wl, tool, label, ds, rd, rep, bucket, expect_copy=False)
                    self.set_aside(rd)

    def run(self):
        write_peer_configs(self.c)
        log(f"bench: mode {self.mode}, workloads {','.join(self.only)}, {self.a.runs} runs each, "
            f"concurrency {self.c}")
        log(f"bench: s5j {self.s5j or '(none)'}; commands: "
            + ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in self.caps.items() if k in ("sync", "dry_run", "relay")))
        t = time.monotonic()
        need = set()
        if set(self.only) & {"W1", "W3", "W4", "W5"}:
            need.add("small")
        if set(self.only) & {"W2", "W3"}:
            need.add("large")
        if "W5" in self.only:
            need.add("many")
        for wl, ds in W2_SHAPES.items():
            if wl in self.only:
                need.add(ds)
        if "W6" in self.only:
            need.add("mixed")
        for which in ("small", "large", "large-mp8", "large-mp50", "mixed", "many"):
            if which in need:
                self.generate(which)
        for name, wanted, fn in (("W1+W4", {"W1", "W4"}, self.phase_small),
                                 ("W2", set(W2_SHAPES), self.phase_large),
                                 ("W3", {"W3"}, self.phase_relay), ("W5", {"W5"}, self.phase_plan),
                                 ("W6", {"W6"}, self.phase_mixed)):
            if wanted & set(self.only):
                log(f"== {name}")
                t = time.monotonic()
                fn()
                self.phases[name] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        shutil.rmtree(self.trash_dir, ignore_errors=True)
        self.phases["cleanup"] = round(time.monotonic() - t, 1)
        self.finish()

    # ---- summary
    def summarize(self):
        for e in self.results.values():
            ok = [r for r in e["runs"] if r["ok"]]
            stopped = [r for r in e["runs"] if r.get("stopped_after_s")]
            if e["status"] == "n/a":
                e["median"] = None
                continue
            failed = len(e["runs"]) - len(ok) - len(stopped)
            if failed or not (ok or stopped):
                e["status"] = f"failed ({failed} of {len(e['runs'])} runs)"
            elif stopped and not ok:
                e["status"] = "stopped"
            if ok:
                e["median"] = {k: statistics.median(r[k] for r in ok)
                               for k in ("wall_s", "cpu_s", "rss_kb", "objects_per_s", "mb_per_s")}
                e["median"]["rss_mib"] = e["median"]["rss_kb"] / 1024
                e["median"]["cpu_s_per_gb"] = e["median"]["cpu_s"] / (e["bytes"] / 1e9)
            else:
                e["median"] = None

    def med(self, wl, tool):
        e = self.results.get((wl, tool))
        return e["median"] if e and e.get("median") and e["status"] == "ok" else None

    def ratios_and_targets(self):
        ratios, targets = {}, []

        def ratio(a, b):
            return a / b if a is not None and b else None

        def verdict(name, cond, detail, missing):
            targets.append(dict(workload=name.split()[0], target=name,
                                met=None if cond is None else bool(cond),
                                detail=detail if cond is not None else missing))

        for wl, s5, peers in (("W1", "s5j", ["rclone", "aws-2hop", "ceiling"]),
                              ("W2", "s5j", ["rclone", "aws-2hop", "ceiling"]),
                              ("W2-MP8", "s5j", ["rclone", "ceiling"]),
                              ("W2-MP50", "s5j", ["rclone", "ceiling"]),
                              ("W6", "s5j", ["rclone", "ceiling"]),
                              ("W3-small", "s5j-relay", ["rclone-2hop", "aws-2hop", "ceiling-staged"]),
                              ("W3-large", "s5j-relay", ["rclone-2hop", "aws-2hop", "ceiling-staged"]),
                              ("W4", "s5j", ["rclone", "aws-2hop"]),
                              ("W5", "s5j-plan", ["rclone-plan"])):
            m = self.med(wl, s5)
            mm = self.med(wl, s5 + "-metrics")
            if m and mm:  # what serving /metrics costs: the same s5j with it over without
                ratios[f"{wl} {s5}-metrics/{s5}"] = {k: ratio(mm[k], m[k]) for k in ("wall_s", "cpu_s", "rss_kb")}
            for p in peers:
                pm = self.med(wl, p)
                if m and pm:
                    ratios[f"{wl} s5j/{p}"] = {k: ratio(m[k], pm[k]) for k in ("wall_s", "cpu_s", "rss_kb")}
        # the targets of the benchmark issue
        def server_bound(wl, s5, ceiling, limit, peer_wall):
            """Where a wall target is missed: the minimal client's wall against the
            same limit, and s5j as a fraction of its throughput (the issue's
            rule for a target the servers, not s5j, put out of reach)."""
            m, c = self.med(wl, s5), self.med(wl, ceiling)
            if not (m and c and peer_wall) or m["wall_s"] <= limit * peer_wall:
                return ""
            bound = "out of reach for any client here" if c["wall_s"] > limit * peer_wall else "within a client's reach"
            return (f"; the ceiling takes {c['wall_s'] / peer_wall:.2f}x ({bound}), "
                    f"s5j runs at {c['wall_s'] / m['wall_s']:.2f} of its throughput")

        m1, r1 = self.med("W1", "s5j"), self.med("W1", "rclone")
        why = self.missing("W1", "s5j", "rclone")
        verdict("W1 wall <= 0.5x rclone", m1 and r1 and m1["wall_s"] <= 0.5 * r1["wall_s"],
                m1 and r1 and f"{m1['wall_s'] / r1['wall_s']:.2f}x"
                + server_bound("W1", "s5j", "ceiling", 0.5, r1["wall_s"]), why)
        verdict("W1 CPU <= 0.5x rclone", m1 and r1 and m1["cpu_s"] <= 0.5 * r1["cpu_s"],
                m1 and r1 and f"{m1['cpu_s'] / r1['cpu_s']:.2f}x", why)
        m2, r2 = self.med("W2", "s5j"), self.med("W2", "rclone")
        why = self.missing("W2", "s5j", "rclone")
        verdict("W2 throughput >= 1.5x rclone", m2 and r2 and m2["mb_per_s"] >= 1.5 * r2["mb_per_s"],
                m2 and r2 and f"{m2['mb_per_s'] / r2['mb_per_s']:.2f}x", why)
        verdict("W2 CPU/GB <= 0.5x rclone", m2 and r2 and m2["cpu_s_per_gb"] <= 0.5 * r2["cpu_s_per_gb"],
                m2 and r2 and f"{m2['cpu_s_per_gb'] / r2['cpu_s_per_gb']:.2f}x", why)
        for wl in ("W3-small", "W3-large"):
            m = self.med(wl, "s5j-relay")
            peers = [x for x in (self.med(wl, "rclone-2hop"), self.med(wl, "aws-2hop")) if x]
            best = min((p["wall_s"] for p in peers), default=None)
            verdict(f"{wl} wall <= 0.5x faster peer 2-hop", m and best and m["wall_s"] <= 0.5 * best,
                    m and best and f"{m['wall_s'] / best:.2f}x"
                    + server_bound(wl, "s5j-relay", "ceiling-staged", 0.5, best),
                    self.missing(wl, "s5j-relay", "rclone-2hop"))
        # issue 22: multipart sources and the mixed archive
        for wl in ("W2-MP8", "W2-MP50"):
            m, r = self.med(wl, "s5j"), self.med(wl, "rclone")
            why = self.missing(wl, "s5j", "rclone")
            verdict(f"{wl} CPU <= 1.0x rclone", m and r and m["cpu_s"] <= r["cpu_s"],
                    m and r and f"{m['cpu_s'] / r['cpu_s']:.2f}x", why)
            verdict(f"{wl} CPU <= 0.5 CPU-s/GB", m and m["cpu_s_per_gb"] <= 0.5,
                    m and f"{m['cpu_s_per_gb']:.2f} CPU-s/GB", why)
            verdict(f"{wl} peak RSS <= 64 MiB", m and m["rss_mib"] <= 64, m and f"{m['rss_mib']:.1f} MiB", why)
            verdict(f"{wl} wall <= 0.67x rclone", m and r and m["wall_s"] <= 0.67 * r["wall_s"],
                    m and r and f"{m['wall_s'] / r['wall_s']:.2f}x"
                    + server_bound(wl, "s5j", "ceiling", 0.67, r["wall_s"]), why)
        m6, r6 = self.med("W6", "s5j"), self.med("W6", "rclone")
        why = self.missing("W6", "s5j", "rclone")
        verdict("W6 wall <= 0.6x rclone", m6 and r6 and m6["wall_s"] <= 0.6 * r6["wall_s"],
                m6 and r6 and f"{m6['wall_s'] / r6['wall_s']:.2f}x"
                + server_bound("W6", "s5j", "ceiling", 0.6, r6["wall_s"]), why)
        verdict("W6 CPU <= 0.5x rclone", m6 and r6 and m6["cpu_s"] <= 0.5 * r6["cpu_s"],
                m6 and r6 and f"{m6['cpu_s'] / r6['cpu_s']:.2f}x", why)
        m4, r4 = self.med("W4", "s5j"), self.med("W4", "rclone")
        verdict("W4 wall <= 0.3x rclone", m4 and r4 and m4["wall_s"] <= 0.3 * r4["wall_s"],
                m4 and r4 and f"{m4['wall_s'] / r4['wall_s']:.3f}x", self.missing("W4", "s5j", "rclone"))
        m5, m5s, r5 = self.med("W5", "s5j-plan"), self.med("W5-small", "s5j-plan"), self.med("W5", "rclone-plan")
        why = self.missing("W5", "s5j-plan", "rclone-plan")
        verdict("W5 peak RSS <= 100 MiB", m5 and m5["rss_mib"] <= 100, m5 and f"{m5['rss_mib']:.1f} MiB", why)
        verdict("W5 RSS within 20% of the small figure", m5 and m5s and m5["rss_kb"] <= 1.2 * m5s["rss_kb"],
                m5 and m5s and f"{m5['rss_mib']:.1f} vs {m5s['rss_mib']:.1f} MiB", why)
        verdict("W5 faster than rclone", m5 and r5 and m5["wall_s"] < r5["wall_s"],
                m5 and r5 and f"{m5['wall_s'] / r5['wall_s']:.2f}x", why)
        return ratios, targets

    def missing(self, wl, s5, peer):
        """Why a target cannot be judged."""
        if (wl if wl in WORKLOADS else wl.split("-")[0]) not in self.only:
            return "n/a (not in --only)"
        e = self.results.get((wl, s5))
        if not e:
            return "n/a (not run)"
        if e["status"] != "ok":
            return e["note"] if e["status"] == "n/a" else f"n/a (s5j {e['status']})"
        pe = self.results.get((wl, peer))
        if not pe or pe["status"] != "ok":
            return f"n/a ({peer} {pe['status'] if pe else 'not run'})"
        return "n/a (no data)"

    def finish(self):
        self.summarize()
        wl_order = ["W1", "W2", "W2-MP8", "W2-MP50", "W3-small", "W3-large", "W4", "W5", "W5-small", "W6"]
        tool_rank = lambda t: next(i for i, p in enumerate(("s5j", "rclone", "aws", "ceiling")) if t.startswith(p))
        self.order.sort(key=lambda k: (wl_order.index(k[0]), tool_rank(k[1])))
        ratios, targets = self.ratios_and_targets()
        total = time.monotonic() - self.t_start
        print_table(self, ratios, targets)
        now = datetime.datetime.now()
        doc = dict(schema=1, date=now.isoformat(timespec="seconds"), mode=self.mode, runs=self.a.runs,
                   concurrency=self.c, workloads=self.only, machine=self.machine, versions=versions(self.s5j),
                   s5j=dict(binary=self.s5j, commands={k: self.caps[k] for k in ("sync", "dry_run", "relay")}),
                   datasets={k: dict(prefix=v[0], objects=v[1], object_bytes=v[2]) for k, v in self.ds.items()},
                   results=[self.results[k] for k in self.order], ratios=ratios, targets=targets,
                   phases_s=self.phases, elapsed_s=round(total, 1), destination_restarts=self.restarts,
                   load_at_end=[round(x, 2) for x in os.getloadavg()])
        out_dir = self.a.results_dir
        os.makedirs(out_dir, exist_ok=True)
        path = os.path.join(out_dir, now.strftime("%Y%m%d-%H%M%S") + ".json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
        log(f"bench: load average at start {self.machine['load_at_start'][0]:.1f}, at end "
            f"{os.getloadavg()[0]:.1f} (on {os.cpu_count()} cores; a load above the core count makes wall times noisy)")
        log(f"bench: results in {os.path.relpath(path, ROOT)}; logs in {self.logs_dir}; "
            f"benchmark time {total / 60:.1f} min (phases: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in self.phases.items()) + ")")
        # the last line: ratios and target verdicts
        log("targets: " + "; ".join(
            f"{t['target']}: " + ("MET" if t["met"] else "NOT met" if t["met"] is False else "")
            + (f" ({t['detail']})" if t["met"] is not None else t["detail"]) for t in targets))


def fmt_size(n):
    for unit, f in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= f and n % f == 0:
            return f"{n // f} {unit}"
    return f"{n} B"


def print_table(b, ratios, targets):
    log("")
    hdr = (f"{'workload':<9} {'tool':<20} {'runs':>5} {'wall s':>8} {'CPU s':>8} {'CPU-s/GB':>8} {'RSS MiB':>8} "
           f"{'obj/s':>9} {'MB/s':>8}  note")
    log(hdr)
    log("-" * len(hdr))
    for key in b.order:
        e = b.results[key]
        m = e.get("median")
        ok = sum(1 for r in e["runs"] if r["ok"])
        runs = f"{ok}/{len(e['runs'])}"
        note = e["note"] if e["status"] in ("ok", "n/a", "stopped") else e["status"]
        if e["status"] == "ok" and not e["note"] and e["tool"].startswith("ceiling"):
            note = "server limit" + (", one run (middle round)" if len(e["runs"]) < b.a.runs else "")
        if m:
            log(f"{e['workload']:<9} {e['label']:<20} {runs:>5} {m['wall_s']:8.2f} {m['cpu_s']:8.2f} "
                f"{m['cpu_s_per_gb']:8.2f} {m['rss_mib']:8.1f} {m['objects_per_s']:9.1f} {m['mb_per_s']:8.1f}  {note}")
        else:
            stopped = [r["stopped_after_s"] for r in e["runs"] if r.get("stopped_after_s")]
            wall = f">{max(stopped):.1f}" if stopped else "-"
            log(f"{e['workload']:<9} {e['label']:<20} {runs:>5} {wall:>8} {'-':>8} {'-':>8} {'-':>8} {'-':>9} {'-':>8}  {note}")
    log("")
    for k, v in ratios.items():
        log(f"ratio {k}: wall {v['wall_s']:.2f}x, CPU {v['cpu_s']:.2f}x, RSS {v['rss_kb']:.2f}x")
    for wl, s5, ceiling in (("W1", "s5j", "ceiling"), ("W2", "s5j", "ceiling"), ("W2-MP8", "s5j", "ceiling"),
                            ("W2-MP50", "s5j", "ceiling"), ("W6", "s5j", "ceiling"),
                            ("W3-small", "s5j-relay", "ceiling-staged"), ("W3-large", "s5j-relay", "ceiling-staged")):
        m, c = b.med(wl, s5), b.med(wl, ceiling)
        if m and c:
            log(f"ratio {wl} s5j throughput as a fraction of the ceiling: {c['wall_s'] / m['wall_s']:.2f}")


def machine_info():
    info = {"nproc": os.cpu_count(), "kernel": platform.release()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
        with open("/proc/meminfo") as f:
            info["mem_total_gib"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["load_at_start"] = [round(x, 2) for x in os.getloadavg()]
    return info


def versions(s5j):
    def first_line(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=child_env())
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, subprocess.TimeoutExpired, IndexError):
            return None
    return {"s5j": first_line([s5j, "--version"]) if s5j else None, "rclone": first_line([RCLONE, "version"]),
            "aws": first_line([AWS, "--version"]), "radosgw": first_line(["radosgw", "--version"]),
            "python": platform.python_version()}


def main():
    ap = argparse.ArgumentParser(description="s5j end-to-end benchmark (run it via bench/run.sh)")
    ap.add_argument("--quick", action="store_true", help="small workloads for a smoke run")
    ap.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W4")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool and workload (median reported)")
    ap.add_argument("--concurrency", type=int, default=64,
                    help="objects in flight for every tool (s5j workers, rclone transfers/checkers, "
                         "aws max_concurrent_requests, ceiling transfers)")
    ap.add_argument("--s5j", default="", help="the s5j binary")
    ap.add_argument("--s5j-metrics", action="store_true",
                    help="W1 and W3 also run s5j serving /metrics (--metrics-addr 127.0.0.1:0), alternating "
                         "with the runs without it, to measure what metrics cost")
    ap.add_argument("--ceiling", default=os.path.join(ROOT, "build-bench", "bench", "s5j_ceiling"),
                    help="the minimal client and data generator (bench/ceiling)")
    ap.add_argument("--results-dir", default=os.path.join(ROOT, "bench", "results"))
    ap.add_argument("--check-args", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.runs < 1 or a.concurrency < 1:
        sys.exit("bench: --runs and --concurrency must be at least 1")
    bad = [w for w in a.only.upper().replace(" ", "").split(",") if w and w not in WORKLOADS]
    if bad:
        sys.exit(f"bench: unknown workload(s) {','.join(bad)}; choose from {','.join(WORKLOADS)}")
    if a.check_args:  # bench/run.sh asks before it builds and starts anything
        return
    os.makedirs(BENCH_DIR, exist_ok=True)

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    try:
        Bench(a).run()
    except KeyboardInterrupt:
        sys.exit("bench: interrupted")


if __name__ == "__main__":
    main()
