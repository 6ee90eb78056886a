#!/usr/bin/env bash
# bench-signups-wrk.sh measures what webhooks cost a signup as a client sees
# it: two `refbridge serve` processes built from this tree, each on its own
# fresh SQLite file, take GrowSurf addParticipant calls from wrk (16
# connections, 2 threads) in interleaved rounds. "off" has no webhook
# endpoint and no workers; "on" has one Rewardful endpoint subscribed to
# affiliate.created (one delivery per signup) and the default workers,
# posting to a receiver in a third process. After each "on" round it waits
# until the receiver has every delivery, and counts that wait in the
# round's time: "on" signups/s are signups made per second of making and
# delivering them (the next round then starts on a quiet machine). It
# prints each round's signups/s and the median ratio on/off.
#
# PLACEMENT says where the processes run:
#   shared (default): wherever the kernel puts them; the receiver and wrk
#     compete with the server for the same cores, so the receiver's own
#     work (a customer's endpoint, on another machine in production) counts
#     against "on".
#   pinned: each server on CPU 0 alone, wrk and the receiver on CPU 1
#     (taskset): the server is the bottleneck with the same core in both
#     modes, and the ratio is what delivering costs refbridge itself.
#
# With BENCH_POSTGRES set to a PostgreSQL URL (postgres://…/db), both
# servers run on PostgreSQL instead, each in a fresh schema of that
# database (made with psql, dropped at the end).
#
# Usage: proxy/deliver/bench-signups-wrk.sh [ROUNDS] [SECONDS] [PLACEMENT]   (defaults 5 rounds of 10 s, shared)
# Needs wrk (Debian: apt-get install wrk), and taskset (util-linux) for pinned.
set -euo pipefail
rounds=${1:-5}
secs=${2:-10}
placement=${3:-shared}
server=() client=()
case $placement in
shared) ;;
pinned) server=(taskset -c 0) client=(taskset -c 1) ;;
*)
	echo "placement: shared or pinned, not $placement" >&2
	exit 2
	;;
esac
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
pids=()
schemas=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for sc in "${schemas[@]}"; do psql -q "$BENCH_POSTGRES" -c "DROP SCHEMA $sc CASCADE" 2>/dev/null || true; done
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
if curl -fsS -o /dev/null http://127.0.0.1:19300/count 2>/dev/null; then
	echo "something already listens on 127.0.0.1:19300 (a receiver left running?): its count would be read as this run's" >&2
	exit 1
fi
"${client[@]}" "$dir/recv" 127.0.0.1:19300 &
pids+=($!)
for _ in $(seq 1 100); do
	curl -fsS -o /dev/null http://127.0.0.1:19300/count 2>/dev/null && break
	sleep 0.1
done

token=bench-admin-token
# start NAME PORT FLAGS…: serve on a fresh database; prints nothing.
start() {
	local name=$1 port=$2 db
	shift 2
	db=$dir/$name.db
	if [ -n "${BENCH_POSTGRES:-}" ]; then
		local sc=bench_${name}_$$
		psql -q "$BENCH_POSTGRES" -c "CREATE SCHEMA $sc"
		schemas+=("$sc")
		db="$BENCH_POSTGRES?search_path=$sc"
		[[ $BENCH_POSTGRES == *\?* ]] && db="$BENCH_POSTGRES&search_path=$sc"
	fi
	REFBRIDGE_ADMIN_TOKEN=$token "${server[@]}" "$dir/refbridge" serve --addr "127.0.0.1:$port" --db "$db" "$@" >"$dir/$name.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 100); do
		grep -q 'refbridge listening' "$dir/$name.log" && return 0
		sleep 0.1
	done
	cat "$dir/$name.log" >&2
	return 1
}
start off 19301 --webhook-workers 0
offpid=${pids[-1]}
start on 19302 --webhooks-allow-private
onpid=${pids[-1]}
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
	out=$("${client[@]}" wrk --timeout 30s -t2 -c16 -d"${secs}s" -s "$dir/$1.lua" "http://127.0.0.1:$2" -- "$3" 2>&1)
	if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		echo "$out" >&2
		return 1
	fi
	awk '/^Requests\/sec/ { rate = $2 } / requests in / { n = $1 } END { print rate, n }' <<<"$out"
}

kind=SQLite
[ -n "${BENCH_POSTGRES:-}" ] && kind=PostgreSQL
echo "wrk -t2 -c16 -d${secs}s, GrowSurf addParticipant, $kind, $placement; off = no endpoint, on = one Rewardful endpoint + workers"
: >"$dir/pairs"
made=0
# drained: waits until the receiver has every signup made so far through
# "on" and prints how long that took after the round ended (seconds).
drained() {
	local t0 got
	t0=$(date +%s.%N)
	for _ in $(seq 1 1200); do
		got=$(curl -fsS http://127.0.0.1:19300/count)
		[ "$got" -ge "$made" ] && break
		sleep 0.05
	done
	[ "$got" -ge "$made" ] || {
		echo "the receiver has $got of $made deliveries a minute after the round" >&2
		return 1
	}
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", b - a }'
}
# cpu PID: the process's user+system CPU time so far, in clock ticks.
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tick=$(getconf CLK_TCK)
for r in $(seq 1 "$rounds"); do
	c0=$(cpu "$offpid")
	read -r off noff < <(round off 19301 "$r")
	c1=$(cpu "$offpid")
	c2=$(cpu "$onpid")
	read -r _ n < <(round on 19302 "$r")
	made=$((made + n))
	# "on" has done its round's work only when every delivery has
	# arrived: its rate counts the time the workers took to catch up after
	# the round, and the next round starts on a quiet machine.
	lag=$(drained)
	c3=$(cpu "$onpid")
	on=$(awk -v n="$n" -v s="$secs" -v l="$lag" 'BEGIN { printf "%.1f\n", n / (s + l) }')
	# The server's CPU time per signup, its deliveries included.
	offus=$(awk -v c=$((c1 - c0)) -v n="$noff" -v t="$tick" 'BEGIN { printf "%.0f\n", c / t / n * 1e6 }')
	onus=$(awk -v c=$((c3 - c2)) -v n="$n" -v t="$tick" 'BEGIN { printf "%.0f\n", c / t / n * 1e6 }')
	echo "$off $on $offus $onus" >>"$dir/pairs"
	printf 'round %d: off %6.0f  on %6.0f signups/s (deliveries caught up %5.2f s after the round)  on/off %.3f;  server CPU per signup: off %4d µs, on %4d µs\n' \
		"$r" "$off" "$on" "$lag" "$(awk -v a="$on" -v b="$off" 'BEGIN { print a / b }')" "$offus" "$onus"
done
mid=$(((rounds + 1) / 2))
ratio=$(awk '{ printf "%.4f\n", $2 / $1 }' "$dir/pairs" | sort -n | sed -n "${mid}p")
cost=$(awk '{ printf "%.4f\n", $4 / $3 }' "$dir/pairs" | sort -n | sed -n "${mid}p")
awk -v r="$ratio" 'BEGIN { printf "median on/off %.3f: %.1f%% fewer signups per second with webhooks on\n", r, (1 - r) * 100 }'
awk -v c="$cost" 'BEGIN { printf "median server CPU per signup on/off %.3f: a CPU-bound server makes %.1f%% fewer signups per second with webhooks on\n", c, (1 - 1 / c) * 100 }'
echo "signups through \"on\": $made, every one delivered"
