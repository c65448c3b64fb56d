#!/usr/bin/env python3
"""Hostile SIP registrars over TLS (1.0 allowed, as the phone speaks it) for the sip-register tests.
Usage: sip_stub.py MODE ADDRESS PORT CERT KEY; prints the bound port once listening.
Modes: huge (a 401 whose headers never end), slow (a 401 one byte a second), http (an HTTP answer),
badheader (a SIP status line, then a header line without a colon), close (closes after the request)."""
import signal
import socket
import ssl
import sys
import threading
import time

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
mode, address, port, cert, key = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.minimum_version = ssl.TLSVersion.TLSv1
context.set_ciphers("ALL:@SECLEVEL=0")
context.load_cert_chain(cert, key)
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((address, port))
listener.listen(16)
print(listener.getsockname()[1], flush=True)


def serve(raw):
    try:
        raw.settimeout(30)
        connection = context.wrap_socket(raw, server_side=True)
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = connection.recv(4096)
            if not chunk:
                return
            request += chunk
        if mode == "huge":
            connection.sendall(b"SIP/2.0 401 Unauthorized\r\n")
            for _ in range(4096):
                connection.sendall(b"X-Filler: " + b"a" * 1000 + b"\r\n")
        elif mode == "slow":
            for byte in b"SIP/2.0 401 Unauthorized\r\nContent-Length: 0\r\n\r\n":
                connection.sendall(bytes([byte]))
                time.sleep(1)
        elif mode == "http":
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            time.sleep(5)
        elif mode == "badheader":
            connection.sendall(b"SIP/2.0 401 Unauthorized\r\nthis line has no colon\r\nContent-Length: 0\r\n\r\n")
            time.sleep(5)
        elif mode == "close":
            connection.close()
    except (OSError, ssl.SSLError):
        pass


while True:
    client, _ = listener.accept()
    threading.Thread(target=serve, args=(client,), daemon=True).start()
