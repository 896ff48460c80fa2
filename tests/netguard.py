"""Source code that refuses every non-loopback connection and name lookup in a child Python process.

Prepend `GUARD` to a script run with `python -c`; the script ends by printing `attempts` and failing
when any were made.
"""

GUARD = r"""
import socket
attempts = []
_LOCAL = ("::1", "localhost", b"localhost")
real_connect = socket.socket.connect
def guarded(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and not (str(host).startswith("127.") or host in _LOCAL):
        attempts.append(host)
        raise ConnectionRefusedError(f"network refused by the test: {host}")
    return real_connect(self, address)
socket.socket.connect = guarded
real_getaddrinfo = socket.getaddrinfo
def lookup(host, *a, **k):
    if host is not None and host not in _LOCAL and not str(host).startswith("127."):
        attempts.append(host)
        raise socket.gaierror(f"lookup refused by the test: {host}")
    return real_getaddrinfo(host, *a, **k)
socket.getaddrinfo = lookup
"""
