#!/usr/bin/env python3
"""A raw TCP or Unix-socket peer that misbehaves on purpose, for the fault
specs (spec/faults_spec.lua).

    peer.py (--connect PORT | --unix PATH | --listen) MODE [ARG]

--listen binds 127.0.0.1 port 0 and prints "port N" before accepting one
connection.  Each mode prints one result line when it is done:

    reset             reset the connection at once: "reset"
    reset-after N     send N bytes, wait for one byte back, then reset the
                      connection (SO_LINGER 0 and close): "reset"
    read-then-reset N read N bytes, then reset: "read N reset"
    half-close TEXT   send TEXT, shut down the write side, read to the end:
                      "got HEX" (what came back, hex-encoded)
    stall SECONDS     read nothing for SECONDS, then read to the end:
                      "got N bytes"
"""

import socket
import struct
import sys
import time


def connect(argv):
    if argv[1] == "--listen":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        print("port %d" % server.getsockname()[1], flush=True)
        conn, _ = server.accept()
        server.close()
        return conn, argv[2:]
    if argv[1] == "--unix":
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(argv[2])
        return conn, argv[3:]
    conn = socket.create_connection(("127.0.0.1", int(argv[2])))
    return conn, argv[3:]


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    conn.close()


def read_exactly(conn, n):
    got = 0
    while got < n:
        chunk = conn.recv(min(65536, n - got))
        if not chunk:
            break
        got += len(chunk)
    return got


def read_all(conn):
    parts = []
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)


def count_all(conn):
    n = 0
    while True:
        chunk = conn.recv(1 << 20)
        if not chunk:
            return n
        n += len(chunk)


def main(argv):
    conn, rest = connect(argv)
    mode = rest[0]
    if mode == "reset":
        reset(conn)
        print("reset", flush=True)
    elif mode == "reset-after":
        conn.sendall(b"r" * int(rest[1]))
        conn.recv(1)
        reset(conn)
        print("reset", flush=True)
    elif mode == "read-then-reset":
        n = read_exactly(conn, int(rest[1]))
        reset(conn)
        print("read %d reset" % n, flush=True)
    elif mode == "half-close":
        conn.sendall(rest[1].encode())
        conn.shutdown(socket.SHUT_WR)
        print("got " + read_all(conn).hex(), flush=True)
        conn.close()
    elif mode == "stall":
        time.sleep(float(rest[1]))
        print("got %d bytes" % count_all(conn), flush=True)
        conn.close()
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv)
