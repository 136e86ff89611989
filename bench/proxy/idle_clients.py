#!/usr/bin/env python3
"""Opens N idle PostgreSQL connections (trust auth, protocol 3.0) to HOST:PORT,
waits until each has reached ReadyForQuery, prints "ready N", then holds them
until stdin closes. Used to measure a proxy's memory per idle client.
Usage: idle_clients.py HOST PORT USER DB N [plain|tls]   (tls: SSLRequest, no
certificate check: only the memory of an encrypted connection matters here)."""
import socket
import ssl
import struct
import sys

TLS_CONTEXT = ssl.create_default_context()
TLS_CONTEXT.check_hostname = False
TLS_CONTEXT.verify_mode = ssl.CERT_NONE


def startup(host, port, user, db, tls=False):
    s = socket.create_connection((host, port), timeout=30)
    if tls:
        s.sendall(struct.pack("!II", 8, 80877103))
        if s.recv(1) != b"S":
            raise RuntimeError("the server refused TLS")
        s = TLS_CONTEXT.wrap_socket(s)
    params = b"user\0" + user.encode() + b"\0database\0" + db.encode() + b"\0\0"
    body = struct.pack("!I", 196608) + params
    s.sendall(struct.pack("!I", len(body) + 4) + body)
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("server closed the connection during start-up")
        buf += chunk
        while len(buf) >= 5:
            kind = buf[0:1]
            length = struct.unpack("!I", buf[1:5])[0]
            if len(buf) < 1 + length:
                break
            if kind == b"E":
                raise RuntimeError("error response: %r" % buf[5:1 + length])
            if kind == b"Z":
                return s
            buf = buf[1 + length:]


def main():
    host, port, user, db, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
    tls = len(sys.argv) > 6 and sys.argv[6] == "tls"
    conns = [startup(host, port, user, db, tls) for _ in range(count)]
    print("ready", len(conns), flush=True)
    sys.stdin.read()
    for c in conns:
        c.close()


if __name__ == "__main__":
    main()
