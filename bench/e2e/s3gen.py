#!/usr/bin/python3
"""Fill a prefix with generated objects, straight from memory (no local
files): COUNT objects of SIZE bytes named PREFIX + 'obj-%07d.bin', uploaded
by N threads over keep-alive connections, one PUT each (UNSIGNED-PAYLOAD).

Contents are pseudo-random and distinct: every 1 MiB piece is a slice of one
random buffer with the object and piece number written over its first 16
bytes, so no two objects (or pieces) are equal and nothing compresses.

  s3gen.py --endpoint URL --bucket B --prefix w1/ --count 10000 --size 16384
Credentials: BENCH_ACCESS_KEY / BENCH_SECRET_KEY.
"""
import argparse
import os
import queue
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3lite import Side  # noqa: E402

PIECE = 1 << 20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--bucket", required=True)
    ap.add_argument("--prefix", default="")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--concurrency", type=int, default=32)
    a = ap.parse_args()
    side = Side(a.endpoint, a.bucket, os.environ["BENCH_ACCESS_KEY"], os.environ["BENCH_SECRET_KEY"])
    pool = os.urandom(4 * PIECE)

    def body(i):
        left, piece = a.size, 0
        while left > 0:
            n = min(PIECE, left)
            off = ((i * 7919 + piece * 104729) * 64) % (len(pool) - n)
            tag = i.to_bytes(8, "little") + piece.to_bytes(8, "little")
            chunk = bytearray(pool[off:off + n])
            chunk[: min(16, n)] = tag[: min(16, n)]
            yield chunk
            left -= n
            piece += 1

    work = queue.SimpleQueue()
    for i in range(a.count):
        work.put(i)
    errors = []
    lock = threading.Lock()

    def worker():
        conn = side.connect()
        while True:
            try:
                i = work.get_nowait()
            except queue.Empty:
                break
            key = f"{a.prefix}obj-{i:07d}.bin"
            for attempt in range(3):  # a fresh gateway can drop the odd connection
                try:
                    side.put_stream(conn, key, a.size, body(i))
                    break
                except Exception as e:
                    conn.close()
                    conn = side.connect()
                    if attempt == 2:
                        with lock:
                            errors.append(f"{key}: {e}")
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(max(1, a.concurrency))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in errors[:10]:
        print("s3gen: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
