#!/usr/bin/env bash
# Benchmark (not a test): `authlens weak-secret` against hashcat -m 16500 in CPU mode (PoCL), one HS256
# dictionary attack each over the same generated wordlist, the secret absent (every candidate is tried).
#
#   scripts/bench/jwt-weak-secret.sh            # 2,000,000 candidates
#   BENCH_LINES=5000000 scripts/bench/jwt-weak-secret.sh
#   BENCH_TOKEN=long scripts/bench/jwt-weak-secret.sh   # a larger, access-token-like payload
#   BENCH_THREADS=1 scripts/bench/jwt-weak-secret.sh    # authlens on one core
#
# Installs hashcat, pocl-opencl-icd and ocl-icd-libopencl1 with apt-get when missing (as root, or through
# sudo). Builds the release binary into $CARGO_TARGET_DIR (default: target/). hashcat is timed three ways:
# wall clock on the same list (its start-up included: OpenCL init, kernel load, self-test, autotune), its
# own reported speed (the final status JSON, summed over devices), and wall clock on the list repeated
# BENCH_REPEAT times (default 5), where start-up weighs little. The first hashcat run compiles its kernel
# with PoCL (minutes, once per machine); it is a warm-up on a one-line list, not measured.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH_LINES=${BENCH_LINES:-2000000}
BENCH_TOKEN=${BENCH_TOKEN:-short}
BENCH_REPEAT=${BENCH_REPEAT:-5}
WORK=$(mktemp -d)
# BENCH_KEEP=1 keeps the wordlist, token and tool outputs for a look afterwards.
if [ -n "${BENCH_KEEP:-}" ]; then echo "work dir: $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

HASHCAT_NOTE=""
# hashcat dlopens libOpenCL.so.1 (the ICD loader), which finds PoCL's CPU device through /etc/OpenCL/vendors.
if ! command -v hashcat >/dev/null || ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1 \
    || ! ldconfig -p | grep -q 'libOpenCL\.so\.1'; then
    echo "installing hashcat, pocl-opencl-icd and ocl-icd-libopencl1..." >&2
    if ! { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq \
        --no-install-recommends hashcat pocl-opencl-icd ocl-icd-libopencl1 >/dev/null; }; then
        HASHCAT_NOTE="hashcat could not be installed (apt-get failed or no root/sudo)"
    fi
fi

echo "building authlens (release)..." >&2
(cd "$ROOT" && cargo build --release -q -p authlens)
BIN="$TARGET_DIR/release/authlens"

echo "generating $BENCH_LINES candidates and an HS256 token..." >&2
python3 - "$WORK" "$BENCH_LINES" "$BENCH_TOKEN" <<'EOF'
import base64, hashlib, hmac, json, os, random, sys

work, lines, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(5)
alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
with open(os.path.join(work, "list.txt"), "w") as f:
    for _ in range(lines):
        # 6 to 14 characters, like a leaked-password list; never the secret below (it has an upper case).
        f.write("".join(rng.choice(alphabet) for _ in range(rng.randint(6, 14))) + "\n")
with open(os.path.join(work, "one.txt"), "w") as f:
    f.write("notthesecret\n")

b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
header = {"alg": "HS256", "typ": "JWT"}
claims = {"sub": "1234567890", "name": "John Doe", "iat": 1516239022}
if kind == "long":
    claims = {"iss": "https://auth.example.test", "sub": "alice", "aud": "authlens-lab",
              "iat": 1790000000, "exp": 1790000900, "jti": "0d9c4c2e-6a1b-4f7e-9a53-2b8f7c1d4e6a",
              "scope": "openid profile email"}
signing_input = b64(json.dumps(header, separators=(",", ":")).encode()) + "." + \
    b64(json.dumps(claims, separators=(",", ":")).encode())
secret = b"Absent-" + os.urandom(16).hex().encode()
sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
with open(os.path.join(work, "token.txt"), "w") as f:
    f.write(signing_input + "." + b64(sig) + "\n")
print(f"token: {len(signing_input)}-byte signing input", file=sys.stderr)
EOF
TOKEN=$(cat "$WORK/token.txt")

now() { date +%s.%N; }

# Three runs, the median kept (by candidates/s): other work on a small machine skews a single run of
# a fraction of a second.
echo "running authlens weak-secret (3 runs)..." >&2
for run in 1 2 3; do
    t0=$(now)
    set +e
    "$BIN" weak-secret "$TOKEN" --wordlist "$WORK/list.txt" --no-builtin --json \
        ${BENCH_THREADS:+--threads "$BENCH_THREADS"} >"$WORK/authlens-$run.json"
    code=$?
    set -e
    t1=$(now)
    if [ "$code" != 0 ]; then
        echo "authlens weak-secret exited $code (expected 0: not found)" >&2
        cat "$WORK/authlens-$run.json" >&2
        exit 1
    fi
    python3 -c "print($t1 - $t0)" >"$WORK/authlens-$run.wall"
done
python3 - "$WORK" <<'EOF'
import json, os, shutil, sys
work = sys.argv[1]
runs = sorted((json.load(open(f"{work}/authlens-{r}.json"))["per_sec"], r) for r in (1, 2, 3))
median = runs[1][1]
shutil.copy(f"{work}/authlens-{median}.json", f"{work}/authlens.json")
shutil.copy(f"{work}/authlens-{median}.wall", f"{work}/authlens.wall")
print("authlens runs (candidates/s): " + ", ".join(f"{r:,.0f}" for r, _ in runs), file=sys.stderr)
EOF

# -m 16500 has only a pure kernel (no -O variant); -w 3: high workload profile; -D 1: CPU devices.
HC_ARGS=(-m 16500 -a 0 -D 1 --force -w 3 --potfile-disable --restore-disable --logfile-disable
    --status --status-json --status-timer 1)
hashcat_run() { # $1 wordlist, $2 output file; prints wall seconds
    local s e rc
    s=$(now)
    set +e
    hashcat "${HC_ARGS[@]}" --session "bench$$" "$WORK/token.txt" "$1" >"$2" 2>&1
    rc=$?
    set -e
    e=$(now)
    # 1 = exhausted (not cracked), the expected end; anything else is a failure.
    if [ "$rc" != 1 ]; then
        echo "hashcat exited $rc" >>"$2"
        echo "fail"
        return
    fi
    python3 -c "print($e - $s)"
}

HC_FULL=fail HC_BIG=fail
if [ -z "$HASHCAT_NOTE" ]; then
    echo "running hashcat (warm-up, the list, the list x$BENCH_REPEAT)..." >&2
    hashcat_run "$WORK/one.txt" "$WORK/hc-warm.txt" >/dev/null # the first run compiles the kernel
    HC_FULL=$(hashcat_run "$WORK/list.txt" "$WORK/hc-full.txt")
    for _ in $(seq "$BENCH_REPEAT"); do cat "$WORK/list.txt"; done >"$WORK/big.txt"
    HC_BIG=$(hashcat_run "$WORK/big.txt" "$WORK/hc-big.txt")
    if [ "$HC_FULL" = fail ] || [ "$HC_BIG" = fail ]; then
        HASHCAT_NOTE="hashcat failed to run: $(grep -hv '^{' "$WORK/hc-full.txt" "$WORK/hc-big.txt" | tail -5 | tr '\n' ' ')"
    fi
fi

python3 - "$WORK" "$BENCH_LINES" "$BENCH_REPEAT" "$(cat "$WORK/authlens.wall")" "$HC_FULL" "$HC_BIG" \
    "$HASHCAT_NOTE" <<'EOF'
import json, sys, os

work, lines, repeat, authlens_wall, hc_full, hc_big, note = sys.argv[1:8]
lines, repeat = int(lines), int(repeat)
a = json.load(open(os.path.join(work, "authlens.json")))
a_rate = a["per_sec"]
rows = [("authlens weak-secret (its report; median of 3 runs)", a["tried"], a["elapsed_ms"] / 1000, a_rate),
        ("authlens weak-secret (process wall clock)", a["tried"], float(authlens_wall),
         a["tried"] / float(authlens_wall))]
device = ""
if not note:
    hc_full, hc_big = float(hc_full), float(hc_big)
    rows.append(("hashcat -m 16500, CPU/PoCL (wall clock)", lines, hc_full, lines / hc_full))
    speed = None
    for line in open(os.path.join(work, "hc-full.txt"), errors="replace"):
        if line.startswith("{"):
            try:
                s = json.loads(line)
            except ValueError:
                continue
            total = sum(d.get("speed", 0) for d in s.get("devices", []))
            device = ", ".join(d.get("device_name", "?") for d in s.get("devices", []))
            if total > 0:
                speed = total  # the last status: hashcat's average at the end
    if speed:
        rows.append(("hashcat, its own reported speed (final status)", None, None, speed))
    rows.append((f"hashcat on the list x{repeat} (wall clock)", lines * repeat, hc_big,
                 lines * repeat / hc_big))

fmt = lambda x, f: "—" if x is None else f.format(x)
print(f"\nHS256, {lines:,} candidates, secret absent; {os.cpu_count()} CPUs; "
      f"load average: {os.getloadavg()[0]:.2f}" + (f"; hashcat device: {device}" if device else ""))
print("\n| tool | candidates | seconds | candidates/s | authlens ÷ this |")
print("| --- | ---: | ---: | ---: | ---: |")
for name, n, secs, rate in rows:
    print(f"| {name} | {fmt(n, '{:,}')} | {fmt(secs, '{:.3f}')} | {rate:,.0f} | {a_rate / rate:.1f}× |")
if note:
    print(f"\nhashcat: {note}")
EOF
