#!/usr/bin/python3
"""Request-shape oracle for s5j's object writes (tests/unit/s3/put_headers_botocore_test.cpp).

Reads a JSON array of cases from the file named on the command line, each
{"operation": "PutObject" | "CreateMultipartUpload" | "CopyObject",
 "params": {botocore's parameter names: Bucket, Key, StorageClass, ...},
 "tags": [[name, value], ...]}   (optional: becomes the Tagging parameter)
and serializes each with botocore's rest-xml serializer and the s3 service
model of botocore.session, as boto3 would before signing. Prints one JSON
object per case and line: {"method", "url_path", "query", "headers"} with
header names in lower case.

Tagging is built here as boto3 users build it (urllib's urlencode with
quote, no safe characters), independently of s5j's encoding.

Run with Debian's interpreter (/usr/bin/python3, python3-botocore); exits
non-zero when botocore cannot be imported, so the C++ test fails.
"""

import json
import sys
import urllib.parse

try:
    import botocore.session
    import botocore.serialize
except ImportError as e:  # pragma: no cover - environment problem
    sys.stderr.write(f"put_headers_oracle: cannot import botocore ({e}); install python3-botocore "
                     f"and run with /usr/bin/python3 (this is {sys.executable})\n")
    sys.exit(3)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: put_headers_oracle.py CASES.json\n")
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    model = botocore.session.get_session().get_service_model("s3")
    serializer = botocore.serialize.create_serializer("rest-xml", include_validation=True)
    for case in cases:
        params = dict(case["params"])
        if case.get("tags"):
            params["Tagging"] = urllib.parse.urlencode([tuple(t) for t in case["tags"]], quote_via=urllib.parse.quote, safe="")
        request = serializer.serialize_to_request(params, model.operation_model(case["operation"]))
        print(json.dumps({
            "method": request["method"],
            "url_path": request["url_path"],
            "query": sorted(request["query_string"].keys()) if isinstance(request["query_string"], dict) else [],
            "headers": {k.lower(): v for k, v in request["headers"].items()},
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
