#!/usr/bin/env bash
# Benchmark (not a test): the lifecycle scenario against the lab, process to process — `authlens run` beside
# Newman running the equivalent Postman collection (scripts/bench/) against the same lab. Prints both medians
# and the ratio. Needs npm (installs newman under scripts/bench/node_modules). N runs each (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-15}"
bash scripts/setup.sh
cargo build --release --locked --bin authlens >&2
bin=./target/release/authlens
if [ ! -x scripts/bench/node_modules/.bin/newman ]; then
  (cd scripts/bench && npm install --no-audit --no-fund --silent newman@6 >&2)
fi
newman=scripts/bench/node_modules/.bin/newman

export AUTHLENS_DATA_DIR="$(mktemp -d)"
port=$((20000 + RANDOM % 20000)); hport=$((port + 1))
"$bin" lab --mode jwt --port "$port" --http-port "$hport" >/dev/null &
lab=$!
trap 'kill $lab 2>/dev/null || true; rm -rf "$AUTHLENS_DATA_DIR"' EXIT
for _ in $(seq 50); do [ -f "$AUTHLENS_DATA_DIR/lab/cert.pem" ] && curl -sk "https://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
export AUTHLENS_PASSWORD=wonderland-alice

run_authlens() {
  "$bin" run profiles/lab-jwt.toml --scenario lifecycle --no-store --format json --out /dev/null --fail-on none \
    --base-url "https://127.0.0.1:$port" --http-base-url "http://127.0.0.1:$hport" >/dev/null 2>&1
}
report="$AUTHLENS_DATA_DIR/newman.json"
run_newman() {
  "$newman" run scripts/bench/lifecycle.postman_collection.json --ssl-extra-ca-certs "$AUTHLENS_DATA_DIR/lab/cert.pem" \
    --env-var "base=https://127.0.0.1:$port" --env-var "http_base=http://127.0.0.1:$hport" \
    --env-var "username=alice@lab.test" --env-var "password=$AUTHLENS_PASSWORD" \
    --ignore-redirects --reporters json --reporter-json-export "$report" >/dev/null 2>&1
}
# Newman exits 0 on some failures (errored requests): read its own report to be sure every request got an
# answer and every assertion held. A run that failed would time nothing comparable.
newman_ok() {
  node -e '
    const r = require(process.argv[1]).run;
    const bad = r.stats.requests.failed + r.stats.assertions.failed + r.failures.length;
    if (bad || r.stats.requests.total !== 10) { console.error("newman:", JSON.stringify(r.stats), r.failures.map(f => f.error.message)); process.exit(1); }
  ' "$report"
}
time_ms() { local t0 t1; t0=$(date +%s%N); "$@"; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# A run the profile cannot complete would time nothing useful: check both work first.
run_authlens || { echo "authlens run failed against the lab" >&2; exit 1; }
run_newman; newman_ok || { echo "newman run failed against the lab" >&2; exit 1; }

a=(); n=()
for _ in $(seq "$N"); do
  a+=("$(time_ms run_authlens)")
  n+=("$(time_ms run_newman)")
  newman_ok || { echo "a newman run failed: its time would not count" >&2; exit 1; }
done
am=$(printf '%s\n' "${a[@]}" | median); nm=$(printf '%s\n' "${n[@]}" | median)
echo "lifecycle against the lab, $N runs each, process to process (ms):"
printf '  %-10s median %6s   all: %s\n' authlens "$am" "${a[*]}" newman "$nm" "${n[*]}"
awk -v a="$am" -v n="$nm" 'BEGIN { printf "  ratio newman/authlens: %.1fx\n", n / a }'
