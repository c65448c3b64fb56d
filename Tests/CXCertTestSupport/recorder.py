#!/usr/bin/env python3
"""A rogue peer on 127.0.0.1 that records every byte it receives (appended to LOGFILE) and never
helps: the secret tests assert what did or did not arrive. Port printed first.
Modes: ldap (reads and stays silent); http-basic (answers 401 with a Basic challenge), http-ntlm (Basic and
NTLM challenges), http-any (Basic, Negotiate and NTLM)."""
import signal
import socket
import sys
import threading

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
mode, log = sys.argv[1], sys.argv[2]
lock = threading.Lock()
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print(listener.getsockname()[1], flush=True)


def record(data):
    with lock, open(log, "ab") as out:
        out.write(data)


def serve(connection):
    try:
        connection.settimeout(30)
        while True:
            data = connection.recv(65536)
            if not data:
                return
            record(data)
            if mode.startswith("http") and b"\r\n\r\n" in data:
                challenges = b"WWW-Authenticate: Basic realm=\"certsrv\"\r\n"
                if mode == "http-any":
                    challenges += b"WWW-Authenticate: Negotiate\r\n"
                if mode in ("http-any", "http-ntlm"):
                    challenges += b"WWW-Authenticate: NTLM\r\n"
                connection.sendall(b"HTTP/1.1 401 Unauthorized\r\n" + challenges + b"Content-Length: 0\r\n\r\n")
    except OSError:
        pass
    finally:
        connection.close()


while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
