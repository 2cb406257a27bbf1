#!/usr/bin/python3
"""Oracle for s5j's S3 on Outposts addressing (tests/unit/s3/outposts_botocore_test.cpp).

For a fixed set of requests to Outposts access points (given as ARNs, with
and without a custom endpoint URL), lets a real botocore client build and
sign each request exactly as the AWS CLI would (botocore's endpoint rules
choose the host, the path and the signing name and region), captures it
before it is sent, and prints one JSON object per line: the inputs and
botocore's method, URL, X-Amz-Date and Authorization.

Run with Debian's interpreter (/usr/bin/python3, package python3-botocore).
Exits non-zero when botocore cannot be imported, so the C++ test fails
rather than skips. Nothing is sent anywhere: a before-send handler answers.
"""

import datetime
import json
import sys

try:
    import botocore.auth
    import botocore.session
    from botocore.awsrequest import AWSResponse
    from botocore.config import Config
except ImportError as e:  # pragma: no cover - environment problem
    sys.stderr.write(f"outposts_oracle: cannot import botocore ({e}); install python3-botocore "
                     f"and run with /usr/bin/python3 (this is {sys.executable})\n")
    sys.exit(3)

TIMESTAMP = "20261207T101112Z"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ARNS = [
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01ac5d28a6a232904/accesspoint/my-ap",
    "arn:aws:s3-outposts:eu-central-1:210987654321:outpost:op-0123456789abcdef0:accesspoint:archive-2",
]
ENDPOINTS = [None, "https://outposts.example.lan:8443"]


def fix_clock():
    fixed = datetime.datetime.strptime(TIMESTAMP, "%Y%m%dT%H%M%SZ")

    class FixedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

        @classmethod
        def now(cls, tz=None):
            return fixed if tz is None else fixed.replace(tzinfo=tz)

    botocore.auth.datetime.datetime = FixedDatetime
    if hasattr(botocore.auth, "get_current_datetime"):
        botocore.auth.get_current_datetime = lambda: fixed


def main():
    fix_clock()
    session = botocore.session.get_session()
    for endpoint in ENDPOINTS:
        # The region of the client does not matter: the ARN's is used.
        client = session.create_client("s3", region_name="us-east-1", endpoint_url=endpoint,
                                       aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                       config=Config(s3={"payload_signing_enabled": True}))
        captured = {}

        def send(request, **_):
            captured["method"] = request.method
            captured["url"] = request.url
            captured["headers"] = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
            response = AWSResponse(request.url, 200, {}, None)
            response._content = b""
            return response

        client.meta.events.register("before-send.s3", send)
        for arn in ARNS:
            cases = [
                ("HeadObject", {"Key": "data/a b+c.txt"}),
                ("DeleteObject", {"Key": "x/\u00e9t\u00e9.bin"}),
                ("ListObjectsV2", {"Prefix": "p/", "MaxKeys": 1000}),
            ]
            for op, params in cases:
                captured.clear()
                try:
                    getattr(client, botocore.xform_name(op))(Bucket=arn, **params)
                except Exception:  # an empty answer may not parse; the request was captured
                    pass
                h = captured["headers"]
                print(json.dumps({
                    "op": op, "arn": arn, "endpoint": endpoint, "params": params,
                    "method": captured["method"], "url": captured["url"],
                    "amz_date": h.get("X-Amz-Date"), "authorization": h.get("Authorization"),
                }, ensure_ascii=False))


if __name__ == "__main__":
    main()
