#!/usr/bin/env python3
"""Small liars for the boot tests, where a real server will not misbehave on purpose. Each binds the
address and port given, prints the port once bound, and serves until killed.
  dns-silent ADDR PORT            reads DNS questions, never answers
  dns-servfail ADDR PORT          answers every question with SERVFAIL
  dns-truncate ADDR PORT          answers every question over UDP with TC=1 and no records; no TCP listener
  sntp-offset ADDR PORT SECONDS   a synchronised server whose clock is moved by SECONDS
  sntp-unsync ADDR PORT           leap indicator 3, stratum 16
  sntp-kod ADDR PORT              kiss-of-death (stratum 0, code RATE)
  sntp-garbage ADDR PORT          48 random bytes
  http-redirect ADDR PORT URL     answers every GET with 302 to URL
  dhcp-raw ADDR PORT CODE=HEX...  answers every DHCPINFORM with a DHCPACK carrying exactly these option bytes
                                  (for what real servers normalise, such as a Windows-2003 string in option 119)"""
import os
import signal
import socket
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
mode, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
ERA = 2208988800


def ntp(seconds):
    return struct.pack("!II", int(seconds + ERA), int((seconds % 1) * 2**32))


if mode == "http-redirect":
    location = sys.argv[4]

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer((address, port), Redirect)
    print(server.server_address[1], flush=True)
    server.serve_forever()

if mode == "dhcp-raw":
    options = b"".join(bytes([int(code), len(bytes.fromhex(data))]) + bytes.fromhex(data)
                       for code, data in (item.split("=", 1) for item in sys.argv[4:]))
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    server.bind(("0.0.0.0", port))
    print(port, flush=True)
    while True:
        data, peer = server.recvfrom(4096)
        if len(data) < 240 or data[0] != 1:
            continue
        ciaddr = socket.inet_ntoa(data[12:16])
        reply = bytearray(data[:240])
        reply[0] = 2
        reply[20:24] = socket.inet_aton(address)
        reply += bytes([53, 1, 5, 54, 4]) + socket.inet_aton(address) + options + b"\xff"
        server.sendto(bytes(reply), (ciaddr, 68))

udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind((address, port))
print(udp.getsockname()[1], flush=True)
while True:
    data, peer = udp.recvfrom(4096)
    if mode == "dns-silent":
        continue
    if mode in ("dns-servfail", "dns-truncate"):
        if len(data) >= 12:
            # Same id and question; QR=1, RD copied, RA=1, RCODE=2 (SERVFAIL) or TC=1 (truncated); no records.
            rest = 2 if mode == "dns-servfail" else 0x0200
            flags = 0x8000 | (struct.unpack("!H", data[2:4])[0] & 0x0100) | 0x0080 | rest
            udp.sendto(data[:2] + struct.pack("!HHHHH", flags, struct.unpack("!H", data[4:6])[0], 0, 0, 0) + data[12:], peer)
        continue
    kind = mode.removeprefix("sntp-")
    if len(data) < 48:
        continue
    now = time.time()
    if kind == "garbage":
        udp.sendto(os.urandom(48), peer)
        continue
    li, stratum, ref = 0, 3, b"\x7f\x00\x00\x01"
    if kind == "unsync":
        li, stratum = 3, 16
    if kind == "kod":
        li, stratum, ref = 3, 0, b"RATE"
    shift = float(sys.argv[4]) if kind == "offset" else 0.0
    t = now + shift
    packet = struct.pack("!BBbb", (li << 6) | (4 << 3) | 4, stratum, 6, -20) + struct.pack("!II", 0, 0) + ref
    packet += ntp(t - 60) + data[40:48] + ntp(t) + ntp(t)
    udp.sendto(packet, peer)
