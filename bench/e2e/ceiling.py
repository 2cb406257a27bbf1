#!/usr/bin/python3
"""The ceiling: the least a client can do to copy a prefix between two S3
endpoints, so its speed is the servers' limit rather than a client's.

One ListObjectsV2 walk of the source, then N threads, each with one
keep-alive connection per side, stream every object GET -> PUT in 1 MiB
pieces (one PUT with the source's Content-Length, UNSIGNED-PAYLOAD). An
object larger than --part-size (16 MiB) goes as ranged GETs into the parts
of a multipart upload, so a few large objects still keep all N threads busy.
No checksums, no retries, no comparison with the destination.
Requests are signed with botocore's SigV4 (Debian python3-botocore).

Why Python and not `xargs -P curl`: measured here, a curl GET|PUT pair per
object costs ~24 CPU-s per 1,000 small objects (two process launches each);
this costs ~1 CPU-s per 1,000.

Credentials: BENCH_SRC_ACCESS_KEY/BENCH_SRC_SECRET_KEY and
BENCH_DST_ACCESS_KEY/BENCH_DST_SECRET_KEY. Exit status 1 if any object failed.
"""
import argparse
import os
import queue
import sys
import threading
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3lite import NS, Side  # noqa: E402

CHUNK = 1 << 20


def copy_range(src, dst, sconn, dconn, key, buf, rng=None, query=None):
    """GET key (or bytes rng=(first, last) of it) and stream it into one PUT
    (or UploadPart, by query). Returns the PUT's ETag."""
    p = src.path(key)
    extra = {"Range": f"bytes={rng[0]}-{rng[1]}"} if rng else None
    hdrs = src.signed_headers("GET", p, extra)
    sconn.request("GET", p, headers=hdrs)
    resp = sconn.getresponse()
    if resp.status not in (200, 206):
        resp.read()
        raise RuntimeError(f"GET {key}: HTTP {resp.status}")
    length = int(resp.getheader("Content-Length"))
    view = memoryview(buf)

    def chunks():
        left = length
        while left > 0:
            n = resp.readinto(view[: min(CHUNK, left)])
            if not n:
                raise RuntimeError(f"GET {key}: body ended {left} bytes early")
            yield view[:n]
            left -= n
        resp.read()  # nothing left; makes the connection reusable

    return dst.put_stream(dconn, key, length, chunks(), query)


def start_upload(dst, key):
    conn = dst.connect()
    try:
        status, body = dst.request(conn, "POST", dst.path(key, {"uploads": None}))
    finally:
        conn.close()
    if status != 200:
        raise SystemExit(f"ceiling: CreateMultipartUpload {key}: HTTP {status} {body[:200]!r}")
    return ET.fromstring(body).findtext(NS + "UploadId")


def complete_upload(dst, conn, key, upload_id, etags):
    xml = "<CompleteMultipartUpload>" + "".join(
        f"<Part><PartNumber>{n}</PartNumber><ETag>{etags[n]}</ETag></Part>" for n in sorted(etags)
    ) + "</CompleteMultipartUpload>"
    status, body = dst.request(conn, "POST", dst.path(key, {"uploadId": upload_id}), xml.encode())
    if status != 200 or b"<Error>" in body:
        raise RuntimeError(f"CompleteMultipartUpload {key}: HTTP {status} {body[:200]!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src-endpoint", required=True)
    ap.add_argument("--src-bucket", required=True)
    ap.add_argument("--dst-endpoint", required=True)
    ap.add_argument("--dst-bucket", required=True)
    ap.add_argument("--prefix", default="", help="same prefix on both sides")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--part-size", type=int, default=16 << 20,
                    help="objects larger than this go as ranged GETs into multipart parts, "
                         "so a few large objects still keep every thread busy")
    a = ap.parse_args()
    env = os.environ
    src = Side(a.src_endpoint, a.src_bucket, env["BENCH_SRC_ACCESS_KEY"], env["BENCH_SRC_SECRET_KEY"])
    dst = Side(a.dst_endpoint, a.dst_bucket, env["BENCH_DST_ACCESS_KEY"], env["BENCH_DST_SECRET_KEY"])
    objects = src.list_objects(a.prefix)
    work = queue.SimpleQueue()
    uploads = {}  # key -> [upload id, parts left, {part number: etag}]; guarded by lock
    for key, size in objects:
        if size <= a.part_size:
            work.put((key, None, None))
            continue
        nparts = (size + a.part_size - 1) // a.part_size
        uploads[key] = [start_upload(dst, key), nparts, {}]
        for n in range(1, nparts + 1):
            first = (n - 1) * a.part_size
            work.put((key, n, (first, min(size, first + a.part_size) - 1)))
    errors, done = [], [0]
    lock = threading.Lock()

    def worker():
        sconn, dconn, buf = src.connect(), dst.connect(), bytearray(CHUNK)
        while True:
            try:
                key, part, rng = work.get_nowait()
            except queue.Empty:
                break
            try:
                if part is None:
                    copy_range(src, dst, sconn, dconn, key, buf)
                    with lock:
                        done[0] += 1
                    continue
                up = uploads[key]
                etag = copy_range(src, dst, sconn, dconn, key, buf, rng,
                                  {"partNumber": part, "uploadId": up[0]})
                with lock:
                    up[2][part] = etag
                    up[1] -= 1
                    last = up[1] == 0
                if last:  # this thread finished the object's last part
                    complete_upload(dst, dconn, key, up[0], up[2])
                    with lock:
                        done[0] += 1
            except Exception as e:  # report, reconnect, go on with the next piece
                with lock:
                    errors.append(f"{key}{'' if part is None else f' part {part}'}: {e}")
                sconn.close()
                dconn.close()
                sconn, dconn = src.connect(), dst.connect()
        sconn.close()
        dconn.close()

    threads = [threading.Thread(target=worker) for _ in range(max(1, a.concurrency))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"ceiling: copied {done[0]} of {len(objects)} objects, {len(errors)} failed")
    for e in errors[:10]:
        print("ceiling: " + e, file=sys.stderr)
    return 1 if errors or done[0] != len(objects) else 0


if __name__ == "__main__":
    sys.exit(main())
