#!/usr/bin/env bash
# bench-signups-wrk.sh measures what webhooks cost a signup as a client sees
# it: two `refbridge serve` processes built from this tree, each on its own
# fresh SQLite file, take GrowSurf addParticipant calls from wrk (16
# connections, 2 threads) in interleaved rounds. "off" has no webhook
# endpoint and no workers; "on" has one Rewardful endpoint subscribed to
# affiliate.created (one delivery per signup) and the default workers,
# posting to a receiver in a third process. It prints each round's
# signups/s, the median ratio on/off, and checks that every signup of the
# "on" server was delivered.
#
# Usage: proxy/deliver/bench-signups-wrk.sh [ROUNDS] [SECONDS]   (defaults 5 rounds of 10 s)
# Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
rounds=${1:-5}
secs=${2:-10}
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

go build -o "$dir/refbridge" ./cmd/refbridge
# The receiver: a customer's endpoint, answering 200 to every POST and
# counting them.
mkdir "$dir/receiver"
cat >"$dir/receiver/main.go" <<'EOF'
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
)

func main() {
	var n atomic.Int64
	http.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n.Add(1)
	})
	http.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, n.Load()) })
	if err := http.ListenAndServe(os.Args[1], nil); err != nil {
		panic(err)
	}
}
EOF
printf 'module receiver\n\ngo 1.24\n' >"$dir/receiver/go.mod"
(cd "$dir/receiver" && GOWORK=off go build -o "$dir/recv" .)
"$dir/recv" 127.0.0.1:19300 &
pids+=($!)

token=bench-admin-token
# start NAME PORT FLAGS…: serve on a fresh database; prints nothing.
start() {
	local name=$1 port=$2
	shift 2
	REFBRIDGE_ADMIN_TOKEN=$token "$dir/refbridge" serve --addr "127.0.0.1:$port" --db "$dir/$name.db" "$@" >"$dir/$name.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 100); do
		grep -q 'refbridge listening' "$dir/$name.log" && return 0
		sleep 0.1
	done
	cat "$dir/$name.log" >&2
	return 1
}
start off 19301 --webhook-workers 0
start on 19302 --webhooks-allow-private
REFBRIDGE_ADMIN_TOKEN=$token "$dir/refbridge" admin -url http://127.0.0.1:19302 webhooks create 1 \
	'{"Vendor":"rewardful","URL":"http://127.0.0.1:19300/rw","Events":["affiliate.created"],"Secret":"s"}' >/dev/null

# lua NAME PORT: the wrk script posting signups to that server's demo
# campaign through the GrowSurf surface; every email is new (the round,
# thread and request are in it), so each call really signs someone up.
lua() {
	local name=$1 port=$2 key campaign
	key=$(awk '$1 == "growsurf" && $2 == "api_key" { print $3 }' "$dir/$name.log")
	campaign=$(curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v2/campaigns" |
		grep -o '"id":"[a-z0-9]*"' | head -n1 | cut -d'"' -f4)
	cat >"$dir/$name.lua" <<EOF
local n, threads, round = 0, 0, "0"
function setup(thread) threads = threads + 1; thread:set("tid", tostring(threads)) end
function init(args) round = args[1] end
function request()
  n = n + 1
  local body = '{"email":"${name}.r' .. round .. ".t" .. tid .. "." .. n .. '@example.com"}'
  return wrk.format("POST", "/v2/campaign/${campaign}/participant",
    {["Authorization"] = "Bearer ${key}", ["Content-Type"] = "application/json"}, body)
end
EOF
}
lua off 19301
lua on 19302

# round NAME PORT R: wrk round R; prints signups/s and how many were
# made; fails on any non-2xx answer or socket error.
round() {
	local out
	out=$(wrk -t2 -c16 -d"${secs}s" -s "$dir/$1.lua" "http://127.0.0.1:$2" -- "$3" 2>&1)
	if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		echo "$out" >&2
		return 1
	fi
	awk '/^Requests\/sec/ { rate = $2 } / requests in / { n = $1 } END { print rate, n }' <<<"$out"
}

echo "wrk -t2 -c16 -d${secs}s, GrowSurf addParticipant, SQLite; off = no endpoint, on = one Rewardful endpoint + workers"
: >"$dir/pairs"
made=0
for r in $(seq 1 "$rounds"); do
	read -r off _ < <(round off 19301 "$r")
	read -r on n < <(round on 19302 "$r")
	made=$((made + n))
	echo "$off $on" >>"$dir/pairs"
	printf 'round %d: off %8.0f  on %8.0f signups/s  on/off %.3f\n' "$r" "$off" "$on" "$(awk -v a="$on" -v b="$off" 'BEGIN { print a / b }')"
done
ratio=$(awk '{ printf "%.4f\n", $2 / $1 }' "$dir/pairs" | sort -n | sed -n "$(((rounds + 1) / 2))p")
awk -v r="$ratio" 'BEGIN { printf "median on/off %.3f: %.1f%% fewer signups per second with webhooks on\n", r, (1 - r) * 100 }'

# Every signup of "on" reaches the receiver once the workers catch up.
for _ in $(seq 1 600); do
	got=$(curl -fsS http://127.0.0.1:19300/count)
	[ "$got" -ge "$made" ] && break
	sleep 0.1
done
echo "signups through \"on\": $made; deliveries received: $got"
[ "$got" -ge "$made" ]
