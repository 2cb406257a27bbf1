"""Just enough S3 for the harness's own chores (create buckets, warm up a
fresh gateway, count what a tool wrote; data and the ceiling are
bench/ceiling/s5j_ceiling): http.client with keep-alive
connections, requests signed by botocore's SigV4 (Debian python3-botocore)
with UNSIGNED-PAYLOAD. No retries: the harness treats any error as a failed
step and says so."""
import http.client
import urllib.parse
import xml.etree.ElementTree as ET

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class UnsignedPayloadAuth(S3SigV4Auth):
    """SigV4 over headers only: the body is sent as UNSIGNED-PAYLOAD."""

    def _should_sha256_sign_payload(self, request):
        return False


class Side:
    """One endpoint + bucket + credentials. Thread-safe (no mutable state);
    connections are made by connect() and owned by the caller."""

    def __init__(self, endpoint, bucket, access_key, secret_key, region="us-east-1"):
        u = urllib.parse.urlsplit(endpoint)
        self.host, self.port = u.hostname, u.port or 80
        self.endpoint = endpoint.rstrip("/")
        self.bucket = bucket
        self.auth = UnsignedPayloadAuth(Credentials(access_key, secret_key), "s3", region)

    def connect(self, timeout=300):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def signed_headers(self, method, path_qs, extra=None):
        req = AWSRequest(method=method, url=self.endpoint + path_qs, headers=extra or {})
        self.auth.add_auth(req)
        return dict(req.headers.items())

    def path(self, key="", query=None):
        """/bucket/key, percent-encoded, with an optional query (dict; a None
        value gives a bare `?uploads`-style name)."""
        p = "/" + self.bucket + "/" + urllib.parse.quote(key, safe="/~")
        if query:
            p += "?" + "&".join(k if v is None else f"{k}={urllib.parse.quote(str(v), safe='~')}"
                                for k, v in sorted(query.items()))
        return p

    def create_bucket(self):
        conn = self.connect()
        try:
            status, body = self.request(conn, "PUT", "/" + self.bucket)
        finally:
            conn.close()
        if status != 200:
            raise RuntimeError(f"create bucket {self.bucket}: HTTP {status} {body[:200]!r}")

    def request(self, conn, method, path_qs, body=None):
        """A small request; returns (status, body bytes)."""
        conn.request(method, path_qs, body=body, headers=self.signed_headers(method, path_qs))
        resp = conn.getresponse()
        return resp.status, resp.read()

    def list_objects(self, prefix="", conn=None):
        """Every (key, size) under prefix, via ListObjectsV2."""
        own = conn is None
        conn = conn or self.connect()
        token, out = None, []
        try:
            for _ in range(10_000_000):  # bounded: one page per 1,000 keys
                q = {"list-type": "2", "max-keys": "1000", "prefix": prefix}
                if token:
                    q["continuation-token"] = token
                qs = urllib.parse.urlencode(sorted(q.items()), quote_via=urllib.parse.quote, safe="~")
                status, body = self.request(conn, "GET", "/" + self.bucket + "?" + qs)
                if status != 200:
                    raise RuntimeError(f"list {self.endpoint}/{self.bucket}/{prefix}: HTTP {status} {body[:200]!r}")
                root = ET.fromstring(body)
                for c in root.iter(NS + "Contents"):
                    out.append((c.find(NS + "Key").text, int(c.find(NS + "Size").text)))
                if root.findtext(NS + "IsTruncated") != "true":
                    break
                token = root.findtext(NS + "NextContinuationToken")
        finally:
            if own:
                conn.close()
        return out

    def put_stream(self, conn, key, length, chunks, query=None):
        """PUT key (with an optional query, e.g. an UploadPart's) with
        Content-Length `length`, body from the iterable `chunks` (bytes-like
        pieces adding up to `length`). Raises on a non-200; returns the ETag."""
        p = self.path(key, query)
        hdrs = self.signed_headers("PUT", p, {"Content-Length": str(length)})
        hdrs.setdefault("Host", f"{self.host}:{self.port}")
        conn.putrequest("PUT", p, skip_host=True, skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        sent = 0
        for c in chunks:
            conn.send(c)
            sent += len(c)
        if sent != length:
            raise RuntimeError(f"PUT {key}: sent {sent} of {length} bytes")
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"PUT {key}: HTTP {resp.status} {body[:200]!r}")
        return resp.getheader("ETag")
