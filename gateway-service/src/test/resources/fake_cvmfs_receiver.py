#!/usr/bin/env python3
"""A stand-in for upstream's cvmfs_receiver speaking its pipe protocol, for gateway tests.

Reads requests from the fd given with -i and answers on the fd given with -o. Payloads are
read completely according to their pack header. Requests are appended to receiver.log beside
the script. A lease path containing 'crash' makes it exit without answering; 'refuse' makes it
answer before reading the pack.
"""
import hashlib, json, os, struct, sys

args = sys.argv[1:]
fd_in = int(args[args.index("-i") + 1])
fd_out = int(args[args.index("-o") + 1])
rin = os.fdopen(fd_in, "rb", buffering=0)
rout = os.fdopen(fd_out, "wb", buffering=0)
log = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "receiver.log")
print("fake receiver started", flush=True)  # stdout must not reach the reply pipe


def read(n):
    data = b""
    while len(data) < n:
        chunk = rin.read(n - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    return data


def reply(payload):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    rout.write(struct.pack("<i", len(body)) + body)


while True:
    op, size = struct.unpack("<ii", read(8))
    message = read(size)
    if op == 0:
        reply(b"ok")
        sys.exit(0)
    request = json.loads(message)
    if log:
        with open(log, "a") as f:
            f.write(json.dumps({"op": op, "message": request}) + "\n")
    path = request.get("path", request.get("lease_path", ""))
    if "crash" in path:
        sys.exit(1)
    if op == 5:
        if "refuse" in path:
            reply({"status": "error", "reason": "other_error"})
            continue
        header = read(request["header_size"])
        if hashlib.sha1(header).hexdigest() != request["digest"]:
            reply({"status": "error", "reason": "other_error"})
            continue
        lines = header.decode().split("\n")
        total = int(lines[1][1:])
        read(total)
        reply({"status": "ok", "statistics": {"publish": {
            "n_chunks_added": int(lines[2][1:]), "n_chunks_duplicated": 0, "n_catalogs_added": 0,
            "sz_uploaded_bytes": total, "sz_uploaded_catalog_bytes": 0}}})
    elif op == 6:
        reply({"status": "ok", "final_revision": 7})
    else:
        reply({"status": "error", "reason": "unknown op %d" % op})
