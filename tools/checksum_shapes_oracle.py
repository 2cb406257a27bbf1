#!/usr/bin/python3
"""botocore's request shapes for S3's additional checksums, as an oracle for
s5j's (tests/unit/s3/checksum_shapes_botocore_test.cpp).

Builds each request with a real botocore client (the parameters a user of
boto3 would pass), stops it before it is sent, and prints one JSON object
per line: the case name, method, path and query, every header whose name
holds "checksum" (lower-case names), and for CompleteMultipartUpload the
parts of the XML body as {element: text} maps.

botocore 1.29 (Debian 12) knows CRC32C (ChecksumAlgorithm, ChecksumCRC32C,
ChecksumMode) but not CRC64NVME or ChecksumType (x-amz-checksum-type):
those shapes cannot be checked here, and the C++ test says so.

Run with Debian's /usr/bin/python3 (python3-botocore); exits 3 when botocore
cannot be imported, so the test fails rather than skips.
"""

import json
import sys
import xml.etree.ElementTree as ET

try:
    import botocore.session
    from botocore.config import Config
except ImportError as e:  # pragma: no cover - environment problem
    sys.stderr.write(f"checksum_shapes_oracle: cannot import botocore ({e}); install python3-botocore "
                     f"and run with /usr/bin/python3 (this is {sys.executable})\n")
    sys.exit(3)

BUCKET = "bkt"
KEY = "dir/obj.bin"
UPLOAD_ID = "upload-1"
BODY = b"123456789"
CRC32C = "4waSgw=="  # CRC-32C of BODY, big-endian, base64


class Stop(Exception):
    pass


def client():
    session = botocore.session.get_session()
    c = session.create_client(
        "s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:9000",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret-for-tests-only",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 0}))
    seen = []

    def before_send(request, **kwargs):
        seen.append(request)
        raise Stop()

    c.meta.events.register("before-send.s3", before_send)
    return c, seen


def parts_of(body):
    if not body:
        return []
    root = ET.fromstring(body)
    out = []
    for part in root:
        out.append({child.tag.split("}")[-1]: child.text or "" for child in part})
    return out


def case(name, operation, **params):
    c, seen = client()
    try:
        getattr(c, operation)(**params)
    except Stop:
        pass
    request = seen[-1]
    url = request.url.split("://", 1)[1]
    path_query = url[url.index("/"):]
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v)
               for k, v in request.headers.items() if "checksum" in k.lower()}
    body = request.body if operation == "complete_multipart_upload" else b""
    if isinstance(body, str):
        body = body.encode()
    print(json.dumps({"case": name, "method": request.method, "path_query": path_query,
                      "headers": headers, "parts": parts_of(body)}))


def main():
    case("put_object", "put_object", Bucket=BUCKET, Key=KEY, Body=BODY,
         ChecksumAlgorithm="CRC32C", ChecksumCRC32C=CRC32C)
    case("upload_part", "upload_part", Bucket=BUCKET, Key=KEY, Body=BODY, UploadId=UPLOAD_ID, PartNumber=2,
         ChecksumAlgorithm="CRC32C", ChecksumCRC32C=CRC32C)
    case("create_multipart_upload", "create_multipart_upload", Bucket=BUCKET, Key=KEY, ChecksumAlgorithm="CRC32C")
    case("complete_multipart_upload", "complete_multipart_upload", Bucket=BUCKET, Key=KEY, UploadId=UPLOAD_ID,
         ChecksumCRC32C=CRC32C,
         MultipartUpload={"Parts": [
             {"PartNumber": 1, "ETag": '"0123456789abcdef0123456789abcdef"', "ChecksumCRC32C": "AAAAAA=="},
             {"PartNumber": 2, "ETag": '"fedcba9876543210fedcba9876543210"', "ChecksumCRC32C": CRC32C}]})
    case("head_object", "head_object", Bucket=BUCKET, Key=KEY, ChecksumMode="ENABLED")


if __name__ == "__main__":
    main()
