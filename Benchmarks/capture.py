#!/usr/bin/env python3
"""Writes the classic pcap files the `trace` scaling run reads (Benchmarks/trace).

    capture.py phone N FILE    one phone (DHCPINFORM with vendor class MS-UC-Client first) with N exchanges, DNS
                               (query + answer) and SNTP (request + answer) in turn: 2N + 1 frames
    capture.py others N FILE   N DNS packets (queries and answers) of 50,000 other clients, then the same phone
                               with 20 exchanges after them
    capture.py phones N FILE   N phones, each a DHCPINFORM with vendor class MS-UC-Client and 4 exchanges

Frames are Ethernet + IPv4 + UDP, one millisecond apart, written with struct only (no dependency).
"""
import struct
import sys

PHONE_MAC = bytes([0x00, 0x04, 0xF2, 0x01, 0x02, 0x03])
SERVER_MAC = bytes([0x52, 0x54, 0x00, 0x00, 0x00, 0x01])
PHONE = bytes([10, 0, 0, 2])
DNS_SERVER = bytes([10, 0, 0, 1])
NTP_SERVER = bytes([10, 0, 0, 3])
START = 1_764_000_000
NTP_EPOCH = 2_208_988_800


def frame(src_mac, src, sport, dst, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src, dst)
    return b"\xff" * 6 + src_mac + b"\x08\x00" + ip + udp


def name(text):
    return b"".join(bytes([len(label)]) + label.encode() for label in text.split(".")) + b"\x00"


def dns_query(ident, host):
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + name(host) + struct.pack("!HH", 1, 1)


def dns_answer(ident, host, address):
    question = name(host) + struct.pack("!HH", 1, 1)
    record = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + address
    return struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0) + question + record


def ntp_stamp(seconds):
    whole = int(seconds)
    return struct.pack("!II", (whole + NTP_EPOCH) & 0xFFFFFFFF, int((seconds - whole) * 2**32))


def ntp_request(seconds):
    return bytes([0x23, 0, 6, 0xEC]) + b"\x00" * 36 + ntp_stamp(seconds)


def ntp_answer(request_seconds, seconds):
    # Leap 0, version 4, mode 4 (server), stratum 2; origin = the request's transmit time.
    head = bytes([0x24, 2, 6, 0xEC]) + b"\x00" * 8 + b"GPS\x00"
    return head + ntp_stamp(seconds) + ntp_stamp(request_seconds) + ntp_stamp(seconds) + ntp_stamp(seconds)


def dhcp_inform(mac=PHONE_MAC, address=PHONE, xid=0x1234):
    options = b"\x63\x82\x53\x63" + bytes([53, 1, 8]) + bytes([60, 12]) + b"MS-UC-Client" + bytes([55, 2, 15, 120, 255])
    header = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 0, xid, 0, 0, address, b"\0" * 4, b"\0" * 4, b"\0" * 4)
    return header + mac + b"\0" * 10 + b"\0" * 192 + options


class Writer:
    def __init__(self, path):
        self.out = open(path, "wb", buffering=1 << 20)
        self.out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.count = 0

    def add(self, data):
        micros = self.count * 1000
        self.out.write(struct.pack("<IIII", START + micros // 1_000_000, micros % 1_000_000, len(data), len(data)) + data)
        self.count += 1

    def now(self):
        return START + self.count / 1000


def phone_exchanges(writer, count, mac=PHONE_MAC, phone=PHONE):
    for index in range(count):
        if index % 2 == 0:
            host = f"pool{index % 1000}.contoso.com"
            ident = index & 0xFFFF
            address = bytes([10, 1, index // 256 % 256, index % 256])
            writer.add(frame(mac, phone, 5353, DNS_SERVER, 53, dns_query(ident, host)))
            writer.add(frame(SERVER_MAC, DNS_SERVER, 53, phone, 5353, dns_answer(ident, host, address)))
            continue
        sent = writer.now()
        writer.add(frame(mac, phone, 123, NTP_SERVER, 123, ntp_request(sent)))
        writer.add(frame(SERVER_MAC, NTP_SERVER, 123, phone, 123, ntp_answer(sent, writer.now())))


def main():
    kind, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    writer = Writer(path)
    writer.add(frame(PHONE_MAC, PHONE, 68, bytes([255, 255, 255, 255]), 67, dhcp_inform()))
    if kind == "phone":
        phone_exchanges(writer, count)
    elif kind == "others":
        for index in range(count):
            client = bytes([10, 2, index // 2 % 50_000 // 256, index // 2 % 50_000 % 256])
            mac = bytes([0x02, 0, 0, 0]) + client[2:]
            host = f"host{index // 2 % 5000}.example.net"
            ident = index // 2 & 0xFFFF
            if index % 2 == 0:
                writer.add(frame(mac, client, 40000, DNS_SERVER, 53, dns_query(ident, host)))
            else:
                writer.add(frame(SERVER_MAC, DNS_SERVER, 53, client, 40000, dns_answer(ident, host, bytes([192, 0, 2, 7]))))
        phone_exchanges(writer, 20)
    elif kind == "phones":
        for index in range(count):
            phone = bytes([10, 4, index // 256, index % 256])
            mac = bytes([0x00, 0x04, 0xF2, 0x10]) + phone[2:]
            writer.add(frame(mac, phone, 68, bytes([255, 255, 255, 255]), 67, dhcp_inform(mac, phone, index)))
            phone_exchanges(writer, 4, mac, phone)
    else:
        sys.exit(f"unknown kind {kind}")
    writer.out.close()
    print(f"{path}: {writer.count} frames", file=sys.stderr)


if __name__ == "__main__":
    main()
