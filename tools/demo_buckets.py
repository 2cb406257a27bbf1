#!/usr/bin/python3
"""The demo's own S3 chores (tools/demo.sh), independent of s5j: create
buckets, fill the source with sample objects, and afterwards compare the
destination with the source byte for byte, next to what s5j's event log says
it did with each object (staging directory, upload method, proof).

  demo_buckets.py fill    SRC_ENDPOINT SRC_BUCKET DST_ENDPOINT DST_BUCKET PREFIX
  demo_buckets.py compare SRC_ENDPOINT SRC_BUCKET DST_ENDPOINT DST_BUCKET PREFIX EVENT_LOG

Each gateway has its own user: the keys come from DEMO_SRC_ACCESS_KEY,
DEMO_SRC_SECRET_KEY, DEMO_DST_ACCESS_KEY and DEMO_DST_SECRET_KEY. Run with
Debian's interpreter (/usr/bin/python3, package python3-botocore): a pyenv
python3 on PATH usually lacks botocore.
Output is a few lines meant for people; any failure raises (exit 1).
"""

import hashlib
import json
import os
import random
import sys

import botocore.session
from botocore.config import Config

MIB = 1024 * 1024

# Keys that trip up naive tools: URL-special characters, spaces, UTF-8,
# and keys that are prefixes of other keys (listing order, "folders").
HOSTILE_KEYS = [
    "notes/read me.txt",
    "notes/a+b=c.txt",
    "notes/100% done?.txt",
    "notes/q?x=1&y=2#top.txt",
    "notes/literal%20is-not-a-space.txt",
    "notes/café/日本語 ✓.txt",
    "reports/2024",
    "reports/2024.csv",
    "reports/2024/q1.csv",
]


def client(side, endpoint):
    """side: SRC or DST, whose keys are in DEMO_<side>_ACCESS_KEY and
    DEMO_<side>_SECRET_KEY."""
    # Newer botocore releases add CRC32 trailers to uploads unless told
    # otherwise; Debian's 1.29 ignores the variable.
    os.environ.setdefault("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
    return botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", endpoint_url=endpoint,
        aws_access_key_id=os.environ[f"DEMO_{side}_ACCESS_KEY"],
        aws_secret_access_key=os.environ[f"DEMO_{side}_SECRET_KEY"],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))


def payload(seed, size):
    return random.Random(seed).randbytes(size)


def put_multipart(s3, bucket, key, data, part_size):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = []
    for n, start in enumerate(range(0, len(data), part_size), 1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=n,
                              Body=data[start:start + part_size])["ETag"]
        parts.append({"PartNumber": n, "ETag": etag})
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                 MultipartUpload={"Parts": parts})


def fill(src_endpoint, src_bucket, dst_endpoint, dst_bucket, prefix):
    src, dst = client("SRC", src_endpoint), client("DST", dst_endpoint)
    src.create_bucket(Bucket=src_bucket)
    dst.create_bucket(Bucket=dst_bucket)
    for i in range(1, 6):
        src.put_object(Bucket=src_bucket, Key=f"{prefix}small/file-{i}.bin", Body=payload(i, i * 1000))
    for i, key in enumerate(HOSTILE_KEYS):
        src.put_object(Bucket=src_bucket, Key=prefix + key, Body=f"object {i}: {key}\n".encode())
    # One PUT of 20 MiB: above the demo's multipart threshold, so s5j uploads
    # it in parts. One object that is already multipart at the source
    # (5+5+2 MiB): s5j mirrors its part layout, so the ETags match.
    src.put_object(Bucket=src_bucket, Key=prefix + "large/single-put-20MiB.bin", Body=payload(100, 20 * MIB))
    put_multipart(src, src_bucket, prefix + "large/multipart-12MiB.bin", payload(101, 12 * MIB), 5 * MIB)
    # Outside the prefix: the job must leave it alone.
    src.put_object(Bucket=src_bucket, Key="elsewhere/not-copied.txt", Body=b"outside the job's prefix\n")
    objects = listing(src, src_bucket, prefix)
    print(f"source {src_endpoint}/{src_bucket}/{prefix}: {len(objects)} objects, "
          f"{size_text(sum(s for s, _ in objects.values()))}: 5 small ones, {len(HOSTILE_KEYS)} with keys that trip up\n"
          "  naive tools (spaces, UTF-8, + % ? # & =, a key that is a prefix of others), one 20 MiB single\n"
          "  PUT and one 12 MiB multipart upload (5 MiB parts); one more object outside the prefix")


def listing(s3, bucket, prefix):
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            out[o["Key"]] = (o["Size"], o["ETag"].strip('"'))
    return out


def md5_of(s3, bucket, key):
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    h = hashlib.md5()
    for chunk in iter(lambda: body.read(MIB), b""):
        h.update(chunk)
    return h.hexdigest()


def size_text(n):
    return f"{n / MIB:.0f} MiB" if n >= MIB else f"{n} B"


def relay_story(event_log):
    """Per key, from s5j's event log: the staging directory it went through,
    how it was uploaded (parts counted), and the proofs recorded."""
    staged_on, parts, method, proofs = {}, {}, {}, {}
    with open(event_log, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            if e["event"] == "object_staged":
                staged_on[e["key"]] = os.path.basename(e["volume"])
            elif e["event"] == "part_done":
                parts[e["key"]] = parts.get(e["key"], 0) + 1
            elif e["event"] == "object_verified":
                method[e["key"]] = e["method"]
                proofs[e["proof"]] = proofs.get(e["proof"], 0) + 1
    how = {k: f"{m}, {parts[k]} parts" if k in parts else "single PUT" if m == "put" else m
           for k, m in method.items()}
    return staged_on, how, proofs


def compare(src_endpoint, src_bucket, dst_endpoint, dst_bucket, prefix, event_log):
    src, dst = client("SRC", src_endpoint), client("DST", dst_endpoint)
    want, got = listing(src, src_bucket, prefix), listing(dst, dst_bucket, prefix)
    staged_on, how, proofs = relay_story(event_log)
    print(f"destination {dst_endpoint}/{dst_bucket}/{prefix}: {len(got)} objects "
          "(staged on, uploaded as: from s5j's event log)")
    print(f"  {'size':>8}  {'staged on':<10} {'uploaded as':<19} {'destination ETag':<36}    key")
    problems = [f"missing: {k}" for k in sorted(want.keys() - got.keys())]
    problems += [f"not in the source: {k}" for k in sorted(got.keys() - want.keys())]
    differing = []
    for key in sorted(want.keys() & got.keys()):
        (size, src_etag), (_, dst_etag) = want[key], got[key]
        mark = "=" if dst_etag == src_etag else "*"
        if mark == "*":
            differing.append((key, src_etag, dst_etag))
        print(f"  {size_text(size):>8}  {staged_on.get(key, '?'):<10} {how.get(key, '?'):<19} "
              f"{dst_etag:<36} {mark}  {key}")
        if md5_of(src, src_bucket, key) != md5_of(dst, dst_bucket, key):
            problems.append(f"different bytes: {key}")
    print("  = the source's ETag" + ("; * another ETag:" if differing else ""))
    for key, src_etag, dst_etag in differing:
        print(f"    {key}: the source's is {src_etag}")
        if "-" in dst_etag and "-" not in src_etag:
            print("    (a single PUT there: a plain MD5; the copy went up in parts: the MD5 of the parts' MD5s, "
                  f"-{dst_etag.rsplit('-', 1)[1]} parts)")
    print("proofs s5j recorded (object_verified events):")
    for proof, count in sorted(proofs.items(), key=lambda p: -p[1]):
        print(f"  {count:>3} x {proof}")
    if problems:
        print("the demo's own check FAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(f"the demo's own check (botocore, not s5j): all {len(want)} objects there, "
          "every byte read back equal to the source's")


if __name__ == "__main__":
    action, args = sys.argv[1] if len(sys.argv) > 1 else "", sys.argv[2:]
    if action == "fill" and len(args) == 5:
        fill(*args)
    elif action == "compare" and len(args) == 6:
        compare(*args)
    else:
        sys.exit("usage: demo_buckets.py fill SRC_ENDPOINT SRC_BUCKET DST_ENDPOINT DST_BUCKET PREFIX\n"
                 "       demo_buckets.py compare SRC_ENDPOINT SRC_BUCKET DST_ENDPOINT DST_BUCKET PREFIX EVENT_LOG")
