#!/bin/sh
# bench-webhooks.sh prints refbridge's webhook delivery figures (issue 13):
# events delivered per second to a local receiver (a backlog to 1 and to 8
# endpoints), signup-to-receipt latency p50/p99 (idle, and under 16 clients
# of HTTP signups), and signups per second over HTTP with webhooks off and on
# (one subscribed endpoint, the workers running), measured in alternating
# pairs so that a noisy machine moves both alike; the cost is the median of
# the pairs' ratios. SQLite, durable commits.
#
# Usage: proxy/deliver/bench-webhooks.sh [PAIRS] [SIGNUPS]   (defaults: 7 pairs of 2000 signups)
set -eu
pairs=${1:-7}
n=${2:-2000}
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)/deliver.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./proxy/deliver
bench() { "$bin" -test.run '^$' -test.bench "$1" -test.benchtime "${n}x" -test.count 1 | grep '^Benchmark'; }

echo "== delivery, latency (SQLite, ${n} events)"
bench 'BenchmarkDeliverBacklog|BenchmarkLatencyIdle'
echo "== signups/s over HTTP, 16 clients: off / on, ${pairs} pairs of ${n}"
i=0
: > "$(dirname "$bin")/pairs"
while [ "$i" -lt "$pairs" ]; do
	off=$(bench 'BenchmarkSignupsHTTP/webhooks=false' | awk '{for (f = 1; f < NF; f++) if ($(f+1) == "signups/s") print $f}')
	on=$(bench 'BenchmarkSignupsHTTP/webhooks=true')
	echo "$on" | sed 's/^/  /'
	onrate=$(echo "$on" | awk '{for (f = 1; f < NF; f++) if ($(f+1) == "signups/s") print $f}')
	echo "  off $off  on $onrate signups/s"
	echo "$off $onrate" >> "$(dirname "$bin")/pairs"
	i=$((i + 1))
done
dir=$(dirname "$bin")
m=$(((pairs + 1) / 2))
median() { sort -n | sed -n "${m}p"; }
offm=$(awk '{ print $1 }' "$dir/pairs" | median)
onm=$(awk '{ print $2 }' "$dir/pairs" | median)
ratio=$(awk '{ printf "%.4f\n", $2 / $1 }' "$dir/pairs" | median)
awk -v off="$offm" -v on="$onm" -v r="$ratio" 'BEGIN {
	printf "median off %.0f, on %.0f signups/s; median of the pairs on/off %.3f: %.1f%% fewer with webhooks on\n", off, on, r, (1 - r) * 100 }'
