#!/usr/bin/env python3
"""A stand-in for the Lync Certificate Provisioning service's anonymous root-chain call, written from what
the sources give ([MS-OCAUTHWS] section 1.3.2 names the service; the root-chain operation is not in it, so the
answer's shape is the captured GetRootCertChainsResponse: RootCertChains/Chain, base64 PKCS#7, in the
http://schemas.microsoft.com/OCS/AuthWebServices/ namespace). Binds ADDR PORT, prints the port once bound,
records each request (method, path, headers, body) to REQUESTS.log beside it, and serves until killed.
  certprov_stub.py MODE ADDR PORT [P7B-DER-FILE]
modes:
  ok          200 text/xml, one <Chain> per P7B file given (one PKCS#7 each)
  empty       200, a GetRootCertChainsResponse with no <Chain>
  fault       500, a SOAP 1.1 <s:Fault> (as WCF sends an unknown action)
  error       503, an HTML page (a load balancer without a pool member)
  malformed   200, text/xml that is not well-formed
  huge        200, 8 MiB of XML whitespace before the answer
  slow        sends the headers, then one byte every second for ever
  html        200, an IIS default page (not the service)
Device Update modes (POST /RequestHandler/ucdevice.upx; the answer's shape is the CX700 guide's, seed 000 l.420-433
and l.848-858; HEAD of /RequestHandler/Files/... answers for the offered files):
  du-offer    offers CPE.nbt, CPE.cat, CPE_desc.xml of 4.0.7577.4420 at http://ADDR:PORT/RequestHandler/Files/...; HEAD 200
  du-missing  the same offer, but HEAD of CPE.cat answers 404
  du-none     NumOfFiles 0
  du-error    500
  du-https    the du-offer offer with an https:// BaseURL on port 443"""
import base64
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
mode, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
chains = [open(path, "rb").read() for path in sys.argv[4:]]
NS = "http://schemas.microsoft.com/OCS/AuthWebServices/"
ENVELOPE = '<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>%s</s:Body></s:Envelope>'


def answer(chain_elements):
    return ENVELOPE % ('<GetRootCertChainsResponse ResponseClass="Success" xmlns="%s"><RootCertChains>%s</RootCertChains></GetRootCertChainsResponse>' % (NS, chain_elements))


class Service(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_HEAD(self):
        missing = mode == "du-missing" and self.path.endswith("/CPE.cat")
        found = mode.startswith("du-") and self.path.startswith("/RequestHandler/Files/") and not missing
        self.send_response(200 if found else 404)
        self.send_header("Content-Length", "1048576" if found else "0")
        self.end_headers()

    def device_update(self):
        if mode == "du-error":
            return 500, "text/html", b"<html>Server Error</html>"
        if mode == "du-none":
            body = "<Response><NumOfFiles>0</NumOfFiles><CurrentTime>2013-05-31T17:08:10</CurrentTime><ServerVersion>4.0.7577.0</ServerVersion><ServiceVersion>4.0.7577.0</ServiceVersion></Response>"
        else:
            base = "http://%s:%d/RequestHandler/Files/UCPhone/POLYCOM/CX600/Rev-4/ENU/4.0.7577.4420/CPE" % (address, server.server_address[1])
            if mode == "du-https":
                base = "https://%s:443/RequestHandler/Files/UCPhone/POLYCOM/CX600/Rev-4/ENU/4.0.7577.4420/CPE" % address
            body = ("<Response><NumOfFiles>1</NumOfFiles><File><FileName>CPE.nbt</FileName><SignatureFileName>CPE.cat</SignatureFileName>"
                    "<DescriptFile>CPE_desc.xml</DescriptFile><BaseURL>%s</BaseURL></File><ServerVersion>4.0.7577.0</ServerVersion></Response>" % base)
        return 200, "text/xml", ('<?xml version="1.0" ?>' + body).encode()

    def do_POST(self):
        length = min(int(self.headers.get("Content-Length", "0")), 1 << 20)
        body = self.rfile.read(length)
        with open("REQUESTS.log", "ab") as log:
            headers = "".join("%s: %s\n" % (name, value) for name, value in self.headers.items())
            log.write(b"%s %s\n%s\n%s\n--\n" % (self.command.encode(), self.path.encode(), headers.encode(), body))
        if mode == "slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                return
        status, kind, text = 200, "text/xml; charset=utf-8", b""
        if mode.startswith("du-"):
            status, kind, text = self.device_update()
        elif mode == "ok":
            text = answer("".join("<Chain>%s</Chain>" % base64.b64encode(c).decode() for c in chains)).encode()
        elif mode == "empty":
            text = answer("").encode()
        elif mode == "fault":
            status = 500
            text = (ENVELOPE % '<s:Fault><faultcode>s:Client</faultcode><faultstring xml:lang="en-US">The message with Action \'\' cannot be processed at the receiver.</faultstring></s:Fault>').encode()
        elif mode == "error":
            status, kind, text = 503, "text/html", b"<html><body>Service Unavailable</body></html>"
        elif mode == "malformed":
            text = b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetRootCertChainsResponse'
        elif mode == "huge":
            text = b" " * (8 << 20) + answer("").encode()
        elif mode == "html":
            kind, text = "text/html", b"<html><head><title>IIS Windows Server</title></head><body></body></html>"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        try:
            self.wfile.write(text)
        except OSError:
            pass

    def log_message(self, *args):
        pass


server = HTTPServer((address, port), Service)
print(server.server_address[1], flush=True)
server.serve_forever()
