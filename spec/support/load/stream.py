#!/usr/bin/env python3
"""The two ends of the bulk-transfer load spec (spec/load_spec.lua): a
source that sends BYTES of pseudo-random data and a sink that receives to
the end, each computing the SHA-256 of what went through it.

    stream.py source PORT BYTES   connect to 127.0.0.1:PORT, send BYTES,
                                  shut down the write side, read to the end;
                                  prints "sent N HEX"
    stream.py sink                listen on 127.0.0.1 (port 0), print
                                  "port N", accept one connection, read to
                                  the end; prints "received N HEX"

Every 1 MiB block is the same random block with its number in its first
eight bytes, so a lost, repeated or reordered block changes the digest.
"""

import hashlib
import random
import socket
import struct
import sys

BLOCK = 1 << 20


def source(port, total):
    base = bytearray(random.Random(7).randbytes(BLOCK))
    digest = hashlib.sha256()
    conn = socket.create_connection(("127.0.0.1", port))
    sent, n = 0, 0
    while sent < total:
        struct.pack_into("<Q", base, 0, n)
        block = bytes(base[:min(BLOCK, total - sent)])
        digest.update(block)
        conn.sendall(block)
        sent += len(block)
        n += 1
    conn.shutdown(socket.SHUT_WR)
    while conn.recv(65536):
        pass
    conn.close()
    print("sent %d %s" % (sent, digest.hexdigest()), flush=True)


def sink():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    print("port %d" % server.getsockname()[1], flush=True)
    conn, _ = server.accept()
    server.close()
    digest = hashlib.sha256()
    got = 0
    buf = bytearray(BLOCK)
    view = memoryview(buf)
    while True:
        n = conn.recv_into(buf)
        if n == 0:
            break
        digest.update(view[:n])
        got += n
    conn.close()
    print("received %d %s" % (got, digest.hexdigest()), flush=True)


def main(argv):
    if argv[1] == "source":
        source(int(argv[2]), int(argv[3]))
    elif argv[1] == "sink":
        sink()
    else:
        sys.exit("unknown mode " + argv[1])


if __name__ == "__main__":
    main(sys.argv)
