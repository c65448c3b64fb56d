#!/usr/bin/env python3
"""Misbehaving servers for the probe tests, on 127.0.0.1 and a free port printed first.
Modes: silent (accepts, never answers), close (closes at once), garbage (sends junk), http (answers HTTP),
dribble (sends a TLS record header, then a byte a second, forever)."""
import signal
import socket
import sys
import threading
import time

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
mode = sys.argv[1]
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print(listener.getsockname()[1], flush=True)


def serve(connection):
    try:
        if mode == "close":
            connection.close()
            return
        connection.recv(4096)
        if mode == "garbage":
            connection.sendall(bytes(range(256)) * 8)
        elif mode == "http":
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        elif mode == "dribble":
            connection.sendall(b"\x16\x03\x01\x40\x00")
            while True:
                time.sleep(1)
                connection.sendall(b"\x00")
        elif mode == "silent":
            time.sleep(3600)
    except OSError:
        pass
    finally:
        try:
            connection.close()
        except OSError:
            pass


while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
