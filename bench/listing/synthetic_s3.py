#!/usr/bin/env python3
"""A synthetic S3 listing server for the listing benchmarks (issue #16).

It serves one bucket of N objects that it never stores: key i is computed
from i, and the keys sort in the order of i, so any listing request is
answered by binary search over 0..N-1. Other buckets exist and are empty.
Signatures are not checked.

Answers ListObjectsV2 (prefix, delimiter, start-after, continuation-token,
max-keys, encoding-type=url), ListObjects v1 (marker), HeadBucket,
ListMultipartUploads (empty) and nothing else (501). Every request waits
--latency-ms before it is answered, as a round trip to a distant endpoint
would; requests are served concurrently (one thread each).

Layouts:
  flat   obj/0000000000 .. (one level, no common prefix below obj/)
  tree   data/00000/000000.bin: --per-dir objects per directory

--count-file writes two numbers when the server stops (SIGTERM/SIGINT), and
after every list request with --count-every: the list requests answered, and
of those the full pages of the served bucket asked without a delimiter (the
pages of the key ranges, not the probes of one key or the delimiter
listings), for the interrupted listing benchmark.

Usage: synthetic_s3.py --port 9400 --objects 2000000 --latency-ms 25
"""
import argparse
import bisect
import email.utils
import http.server
import os
import signal
import socketserver
import sys
import threading
import time
import urllib.parse

ETAG = '"d41d8cd98f00b204e9800998ecf8427e"'  # the MD5 of nothing: no object is ever read
MTIME = "2026-01-01T00:00:00.000Z"


class KeySpace:
    def __init__(self, objects, layout, per_dir, size):
        self.n = objects
        self.layout = layout
        self.per_dir = per_dir
        self.size = str(size)

    def key(self, i):
        if self.layout == "flat":
            return "obj/%010d" % i
        return "data/%05d/%06d.bin" % (i // self.per_dir, i % self.per_dir)

    def first_after(self, text):
        """Index of the first key > text (bytewise: the keys are ASCII)."""
        return bisect.bisect_right(range(self.n), text, key=self.key)

    def first_at(self, text):
        """Index of the first key >= text."""
        return bisect.bisect_left(range(self.n), text, key=self.key)


def list_page(space, prefix, delimiter, after, max_keys):
    """(entries, truncated, last): entries are ('key', i) or ('prefix', p)."""
    i = space.first_after(after) if after else 0
    i = max(i, space.first_at(prefix)) if prefix else i
    # A start-after inside a common prefix already returned skips the rest of it.
    if delimiter and after and after.endswith(delimiter):
        i = max(i, space.first_at(after + "\U0010ffff"))
    entries = []
    last = ""
    while i < space.n and len(entries) < max_keys:
        k = space.key(i)
        if not k.startswith(prefix):
            break
        if delimiter:
            d = k.find(delimiter, len(prefix))
            if d >= 0:
                common = k[: d + len(delimiter)]
                entries.append(("prefix", common))
                last = common
                i = space.first_at(common + "\U0010ffff")
                continue
        entries.append(("key", k))
        last = k
        i += 1
    truncated = i < space.n and space.key(i).startswith(prefix) if entries else False
    return entries, truncated, last


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "synthetic-s3"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="application/xml"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-request-id", "synthetic")
        self.send_header("Date", email.utils.formatdate(usegmt=True))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def bucket_and_query(self):
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.lstrip("/").split("/", 1)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        return urllib.parse.unquote(parts[0]), (parts[1] if len(parts) > 1 else ""), query

    def do_HEAD(self):
        time.sleep(self.server.latency)
        bucket, key, _ = self.bucket_and_query()
        self.answer(200 if not key else 404)

    def do_GET(self):
        time.sleep(self.server.latency)
        bucket, key, q = self.bucket_and_query()
        if key:
            return self.answer(501, b"<Error><Code>NotImplemented</Code></Error>")
        if "uploads" in q:
            body = ("<ListMultipartUploadsResult><Bucket>%s</Bucket><IsTruncated>false</IsTruncated>"
                    "</ListMultipartUploadsResult>" % bucket)
            return self.answer(200, body.encode())
        v2 = q.get("list-type") == "2"
        prefix = q.get("prefix", "")
        delimiter = q.get("delimiter", "")
        max_keys = min(int(q.get("max-keys", "1000")), 1000)
        self.server.count_request(bucket == self.server.bucket and not delimiter and max_keys == 1000)
        if v2:
            after = q.get("continuation-token") or q.get("start-after", "")
        else:
            after = q.get("marker", "")
        url = q.get("encoding-type") == "url"
        space = self.server.space if bucket == self.server.bucket else KeySpace(0, "flat", 1, 0)
        entries, truncated, last = list_page(space, prefix, delimiter, after, max_keys)
        enc = (lambda s: urllib.parse.quote(s, safe="/")) if url else (lambda s: s)
        out = ['<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>', bucket, "</Name><Prefix>",
               enc(prefix), "</Prefix><MaxKeys>", str(max_keys), "</MaxKeys>"]
        if url:
            out.append("<EncodingType>url</EncodingType>")
        if delimiter:
            out += ["<Delimiter>", enc(delimiter), "</Delimiter>"]
        out += ["<IsTruncated>", "true" if truncated else "false", "</IsTruncated>"]
        if v2:
            out += ["<KeyCount>", str(len(entries)), "</KeyCount>"]
            if truncated:
                out += ["<NextContinuationToken>", enc(last), "</NextContinuationToken>"]
        elif truncated:
            out += ["<NextMarker>", enc(last), "</NextMarker>"]
        tail = "</LastModified><ETag>" + ETAG.replace('"', "&quot;") + "</ETag><Size>" + space.size + \
               "</Size><StorageClass>STANDARD</StorageClass></Contents>"
        for kind, name in entries:
            if kind == "key":
                out += ["<Contents><Key>", enc(name), "</Key><LastModified>", MTIME, tail]
            else:
                out += ["<CommonPrefixes><Prefix>", enc(name), "</Prefix></CommonPrefixes>"]
        out.append("</ListBucketResult>")
        self.answer(200, "".join(out).encode())

    def do_PUT(self):
        time.sleep(self.server.latency)
        self.answer(501, b"<Error><Code>NotImplemented</Code></Error>")

    do_POST = do_PUT
    do_DELETE = do_PUT


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address, space, bucket, latency, count_file, count_every):
        super().__init__(address, Handler)
        self.space = space
        self.bucket = bucket
        self.latency = latency
        self.count_file = count_file
        self.count_every = count_every
        self.lock = threading.Lock()
        self.list_requests = 0
        self.range_pages = 0

    def handle_error(self, request, client_address):
        # A client killed mid-answer (the interrupted listing) is expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def count_request(self, range_page):
        with self.lock:
            self.list_requests += 1
            self.range_pages += 1 if range_page else 0
            if self.count_every:
                self.write_count()

    def write_count(self):
        if self.count_file:
            tmp = self.count_file + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d %d\n" % (self.list_requests, self.range_pages))
            os.replace(tmp, self.count_file)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=9400)
    p.add_argument("--bucket", default="src")
    p.add_argument("--objects", type=int, default=2_000_000)
    p.add_argument("--layout", choices=["flat", "tree"], default="tree")
    p.add_argument("--per-dir", type=int, default=10_000)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--latency-ms", type=float, default=25.0)
    p.add_argument("--count-file", default="")
    p.add_argument("--count-every", action="store_true")
    a = p.parse_args()
    server = Server(("127.0.0.1", a.port), KeySpace(a.objects, a.layout, a.per_dir, a.size), a.bucket,
                    a.latency_ms / 1000.0, a.count_file, a.count_every)

    def stop(*_):
        with server.lock:
            server.write_count()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("listening on 127.0.0.1:%d" % a.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
