#!/usr/bin/python3
"""Independent SigV4 oracle for s5j's signer (tests/unit/s3/sigv4_botocore_test.cpp).

Generates N deterministic pseudo-random S3 requests from a seed, signs each
with botocore's S3SigV4Auth at a fixed timestamp, and prints one JSON object
per line with the inputs and botocore's canonical request, string to sign,
signature and Authorization header.

Run with Debian's interpreter (/usr/bin/python3, package python3-botocore);
a pyenv python3 on PATH usually lacks botocore. Exits non-zero when botocore
cannot be imported, so the C++ test fails rather than skips.

How the inputs line up with botocore:
- The encoded path is computed here the way botocore's REST serializer does
  (percent_encode(key, safe='/~') for keys, every byte but A-Za-z0-9-._~
  for the bucket) and put in the URL unchanged. S3SigV4Auth takes
  urlsplit(url).path verbatim as the canonical URI (its _normalize_url_path
  is the identity), so "//", "./" and "../" survive as they do in s5j.
- Query parameters go in request.params as a list of pairs; botocore then
  encodes and sorts them itself (the path that real S3 calls take).
- No Host header is set: botocore derives it from the URL (lower-case host,
  port only when not the scheme default). The expected Host value is computed
  here independently and handed to s5j.
- Payload: a random body (botocore hashes it) or UNSIGNED-PAYLOAD through the
  s3 payload_signing_enabled=False client setting.
- Time: botocore 1.29 reads datetime.datetime.utcnow() (newer releases
  get_current_datetime()); both are replaced in botocore.auth by a fixed clock.
"""

import argparse
import base64
import datetime
import hashlib
import json
import random
import sys

try:
    import botocore
    import botocore.auth
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.utils import percent_encode
except ImportError as e:  # pragma: no cover - environment problem
    sys.stderr.write(
        f"sigv4_oracle: cannot import botocore ({e}); install python3-botocore "
        f"and run with /usr/bin/python3 (this is {sys.executable})\n")
    sys.exit(3)

DEFAULT_TIMESTAMP = "20240229T235958Z"  # leap day, one second before midnight


def fix_botocore_clock(timestamp):
    fixed = datetime.datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ")

    class FixedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

    class DatetimeModule:
        datetime = FixedDatetime

    botocore.auth.datetime = DatetimeModule
    # Newer botocore (1.3x+) reads the clock through utils.get_current_datetime.
    if hasattr(botocore.auth, "get_current_datetime"):
        botocore.auth.get_current_datetime = lambda *args, **kwargs: fixed


class RecordingAuth(S3SigV4Auth):
    """S3SigV4Auth that keeps the intermediate artefacts it computes."""

    def canonical_request(self, request):
        self.last_canonical_request = super().canonical_request(request)
        return self.last_canonical_request

    def string_to_sign(self, request, canonical_request):
        self.last_string_to_sign = super().string_to_sign(request, canonical_request)
        return self.last_string_to_sign

    def signature(self, string_to_sign, request):
        self.last_signature = super().signature(string_to_sign, request)
        return self.last_signature


class S3Config:
    def __init__(self, sign_payload):
        self.s3 = {"payload_signing_enabled": sign_payload}


# --- request generator -------------------------------------------------------

METHODS = ["GET", "GET", "PUT", "PUT", "HEAD", "DELETE", "POST"]
REGIONS = ["us-east-1", "us-east-1", "eu-west-1", "ap-southeast-2", "snow",
           "snow", "us-gov-west-1", "cn-north-1", "eu-central-2"]
BUCKETS = ["examplebucket", "my.bucket.with.dots", "b-1", "s5j-test-1234-7",
           "abc", "data-lake.raw"]
PATH_HOSTS = ["s3.amazonaws.com", "s3.eu-west-1.amazonaws.com",
              "192.168.1.10", "10.0.0.5", "localhost", "minio.local",
              "[::1]", "[fd00::12:34]", "rgw.example.org"]
CREDENTIALS = [
    ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("TESTACCESSKEY0000001", "testsecretkey000000000000000000000000001"),
    ("ASIAXYZ123SNOWBALL0", "a+b/c=d+e/f=g+h/i=j+k/l=m+n/o=p+q/r=st"),
    ("minioadmin", "minioadmin"),
]
KEY_PIECES = (
    ["a", "b", "Z", "0", "9", "photos", "2024", "file.txt", "data.bin",
     "x_y", "tilde~", "dash-", "dot."]
    + [" ", "  ", "+", "=", "%", "%20", "%2F", "~", "!", "$", "&", "'", "(",
       ")", "*", ",", ";", ":", "@", "?", "#", "[", "]", "^", "`", "{", "}",
       "|", "\\", '"', "<", ">", "\t"]
    + ["/", "/", "//", "./", "../", "/./", "/../", "."]
    + ["é", "ü", "ß", "Ω", "雪", "日本語", "😀", "€", "\u00a0", "\u200b",
       "ａ", "한국어"]
)
VALUE_PIECES = ["v", "1", "abc", " ", "  ", "/", "=", "+", "&", "%", "~",
                "*", "é", "雪", "😀", "a b", ":", "?", "#", ","]
CONTENT_TYPES = ["application/octet-stream", "text/plain; charset=utf-8",
                 "image/jpeg", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=----x"]


def rand_text(rng, pieces, lo, hi):
    return "".join(rng.choice(pieces) for _ in range(rng.randint(lo, hi)))


def rand_key(rng):
    key = rand_text(rng, KEY_PIECES, 1, 12)
    if rng.random() < 0.15:
        key = "/" + key  # leading slash: path gets "//"
    return key


def rand_token(rng, n):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
    return "".join(rng.choice(alphabet) for _ in range(n))


def rand_query(rng, key):
    kinds = [
        lambda: [("uploads", "")],
        lambda: [("partNumber", str(rng.randint(1, 10000))),
                 ("uploadId", rand_token(rng, rng.randint(8, 60)) + "~._-")],
        lambda: [("uploadId", rand_token(rng, 32))],
        lambda: [("list-type", "2"), ("prefix", rand_key(rng)),
                 ("delimiter", "/"), ("max-keys", "1000")],
        lambda: [("continuation-token", rand_token(rng, 40))],
        lambda: [("start-after", rand_key(rng)), ("encoding-type", "url")],
        lambda: [("marker", key), ("max-keys", "2"), ("prefix", "J")],
        lambda: [("versionId", rand_token(rng, 32))],
        lambda: [("acl", "")],
        lambda: [("tagging", ""), ("versionId", "null")],
        lambda: [("delete", "")],
        lambda: [("x-id", "GetObject")],
        lambda: [("lifecycle", "")],
        lambda: [("a", "2"), ("a", "1"), ("a", ""), ("A", "0")],  # duplicates
        lambda: [(rand_text(rng, VALUE_PIECES, 1, 4), rand_text(rng, VALUE_PIECES, 0, 6))],
        lambda: [("response-content-disposition",
                  'attachment; filename="' + rand_key(rng) + '"')],
        lambda: [("wéird name", "va lue"), ("wZ", "x")],  # encoded vs raw order differ
    ]
    params = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        params.extend(rng.choice(kinds)())
    rng.shuffle(params)
    return params


def spaced(rng, text):
    """Surrounds and splits text with runs of spaces and tabs."""
    pads = ["", " ", "  ", "\t", " \t  "]
    words = text.split(" ")
    inner = [rng.choice([" ", "   ", "\t", " \t "]) for _ in words[1:]]
    out = rng.choice(pads) + words[0]
    for sep, w in zip(inner, words[1:]):
        out += sep + w
    return out + rng.choice(pads)


def rand_headers(rng, bucket, key):
    def meta_name():
        name = rng.choice(["color", "owner", "Original-Name", "mtime", "x", "a-b"])
        prefix = rng.choice(["x-amz-meta-", "X-Amz-Meta-", "X-AMZ-META-"])
        return prefix + name

    makers = [
        lambda: [(rng.choice(["Content-Type", "content-type"]), rng.choice(CONTENT_TYPES))],
        lambda: [("Content-MD5", base64.b64encode(
            hashlib.md5(str(rng.random()).encode()).digest()).decode())],
        lambda: [(rng.choice(["Range", "range"]),
                  f"bytes={rng.randint(0, 999)}-{rng.randint(1000, 10**9)}")],
        lambda: [("x-amz-copy-source",
                  "/" + bucket + "/" + percent_encode(key, safe="/~"))],
        lambda: [("x-amz-copy-source", bucket + "/" + percent_encode(key, safe="/~")
                  + "?versionId=" + rand_token(rng, 12)),
                 ("x-amz-copy-source-range", "bytes=0-5242879")],
        lambda: [(meta_name(), spaced(rng, rng.choice(
            ["blue", "a b c", "hello   world", "x  y\tz", "caf\u00e9 au lait", "雪 の 日",
             "2024-02-29T23:59:58Z", "k=v;k2=v2"])))],
        lambda: [("x-amz-meta-dup", spaced(rng, "first value")),
                 ("X-Amz-Meta-Dup", spaced(rng, "second  value"))],
        lambda: [("x-amz-meta-empty", rng.choice(["", " ", "\t "]))],
        lambda: [("x-amz-storage-class", rng.choice(
            ["STANDARD", "STANDARD_IA", "REDUCED_REDUNDANCY", "SNOW"]))],
        lambda: [("x-amz-tagging", "k=v&k2=v%202")],
        lambda: [("x-amz-checksum-crc32", base64.b64encode(rng.randbytes(4)).decode())],
        lambda: [("If-Match", '"' + hashlib.md5(str(rng.random()).encode()).hexdigest() + '"')],
        lambda: [("Cache-Control", spaced(rng, "max-age=3600, must-revalidate"))],
        lambda: [("Content-Disposition", 'attachment; filename="a  b.txt"')],
        lambda: [("x-amz-metadata-directive", "REPLACE")],
        lambda: [("x-amz-server-side-encryption", "AES256")],
        lambda: [("User-Agent", "s5j/0.1 (linux)")],         # never signed
        lambda: [("Expect", "100-continue")],                  # never signed
        lambda: [("X-Amzn-Trace-Id", "Root=1-65e0-abcdef")],   # never signed
        lambda: [("Content-Length", str(rng.randint(0, 10**12)))],
    ]
    headers = []
    for _ in range(rng.choice([0, 1, 2, 3, 4, 6])):
        headers.extend(rng.choice(makers)())
    return headers


def make_case(rng, index):
    method = rng.choice(METHODS)
    region = rng.choice(REGIONS)
    access_key, secret_key = rng.choice(CREDENTIALS)
    token = rand_token(rng, rng.randint(40, 120)) if rng.random() < 0.25 else ""
    scheme = rng.choice(["http", "https"])
    style = rng.choice(["path", "path", "virtual"])
    bucket = rng.choice(BUCKETS)
    key = rand_key(rng) if rng.random() < 0.85 else ""

    if style == "virtual":
        hostname = f"{bucket}.s3.{region}.amazonaws.com"
        path = "/" + percent_encode(key, safe="/~")
    else:
        hostname = rng.choice(PATH_HOSTS)
        if rng.random() < 0.05:
            bucket, key = "", ""  # ListBuckets
        path = "/"
        if bucket:
            path += percent_encode(bucket, safe="")
            if key:
                path += "/" + percent_encode(key, safe="/~")

    default_port = 80 if scheme == "http" else 443
    port = rng.choice([None, None, default_port, 8080, 8443, 9000, 17480])
    netloc = hostname if port is None else f"{hostname}:{port}"
    host = hostname if port in (None, default_port) else f"{hostname}:{port}"

    query = rand_query(rng, key)
    headers = rand_headers(rng, bucket or "src", key or "k")

    unsigned = rng.random() < 0.3
    body = b"" if unsigned or rng.random() < 0.3 else rng.randbytes(rng.randint(1, 64))

    request = AWSRequest(method=method, url=f"{scheme}://{netloc}{path}",
                         data=body, params=list(query))
    for name, value in headers:
        request.headers[name] = value  # HTTPMessage appends: duplicates kept
    request.context["client_config"] = S3Config(sign_payload=not unsigned)

    auth = RecordingAuth(Credentials(access_key, secret_key, token or None), "s3", region)
    auth.add_auth(request)

    return {
        "id": index,
        "method": method,
        "scheme": scheme,
        "host": host,
        "style": style,
        "bucket": bucket,
        "key": key,
        "encoded_path": path,
        "query": [[n, v] for n, v in query],
        "headers": [[n, v] for n, v in headers],
        "payload_sha256": request.headers["X-Amz-Content-SHA256"],
        "region": region,
        "service": "s3",
        "access_key": access_key,
        "secret_key": secret_key,
        "session_token": token,
        "timestamp": request.context["timestamp"],
        "canonical_request": auth.last_canonical_request,
        "string_to_sign": auth.last_string_to_sign,
        "signature": auth.last_signature,
        "authorization": request.headers["Authorization"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=20240229)
    parser.add_argument("--timestamp", default=DEFAULT_TIMESTAMP,
                        help="signing time, YYYYMMDDTHHMMSSZ (UTC)")
    args = parser.parse_args()

    fix_botocore_clock(args.timestamp)
    rng = random.Random(args.seed)
    out = sys.stdout
    for i in range(args.count):
        case = make_case(rng, i)
        if case["timestamp"] != args.timestamp:
            sys.stderr.write("sigv4_oracle: botocore did not use the fixed clock\n")
            return 4
        out.write(json.dumps(case, sort_keys=True) + "\n")
    out.flush()
    sys.stderr.write(f"sigv4_oracle: {args.count} cases, botocore {botocore.__version__}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
