#!/usr/bin/env python3
"""A stand-in for an enterprise CA's certsrv page: serves one file at /certsrv/certnew.p7b behind Basic
authentication, on 127.0.0.1 and a free port it prints on its first line. Used by the directory tests."""
import base64
import http.server
import signal
import sys

# Processes started from the test runner inherit its blocked signal mask; take SIGTERM back.
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])

body_file, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
body = open(body_file, "rb").read()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="certsrv"')
            self.end_headers()
            return
        if not self.path.startswith("/certsrv/certnew.p7b?ReqID=CACert&Renewal=-1&Enc=b64"):
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-pkcs7-certificates")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
