# Two hosts, each with its own runtimeId, on the local Redis: a Worker on host A, streamed through host B.
PORT_A=${PORT_A:-8787} PORT_B=${PORT_B:-8788} REDIS=${REDIS_URL:-redis://127.0.0.1:6379}
export WORKER_RUNTIME_TOKEN=change-me-0123456789
cat > /tmp/host-a.json <<JSON
{ "listen": { "port": $PORT_A }, "runtime": { "runtimeId": "host-a" },
  "profiles": { "scripted": { "backend": "fake" } },
  "bus": { "kind": "redis", "url": "$REDIS" }, "catalog": { "kind": "redis", "url": "$REDIS" } }
JSON
sed -e "s/$PORT_A/$PORT_B/" -e 's/host-a/host-b/' /tmp/host-a.json > /tmp/host-b.json
# `node scripts/start.mjs` is what `npm start` runs; started directly, a signal reaches the host itself.
node scripts/start.mjs --config /tmp/host-a.json --log-level warn & A=$!
node scripts/start.mjs --config /tmp/host-b.json --log-level warn & B=$!
trap 'kill $A $B; wait' EXIT
until curl -sf "http://127.0.0.1:$PORT_A/healthz" && curl -sf "http://127.0.0.1:$PORT_B/healthz"; do sleep 0.2; done > /dev/null
AUTH="Authorization: Bearer $WORKER_RUNTIME_TOKEN"
# a Worker on host A, with one input:
curl -s -H "$AUTH" -H 'content-type: application/json' -d '{"workerId":"w","profile":"scripted"}' "http://127.0.0.1:$PORT_A/v1/workers"
curl -s -H "$AUTH" -H 'content-type: application/json' -d '{"kind":"user","content":"hello"}' "http://127.0.0.1:$PORT_A/v1/workers/w/input"
# ... its events, streamed through host B (for 3 seconds):
curl -sN --max-time 3 -H "$AUTH" "http://127.0.0.1:$PORT_B/v1/runtimes/host-a/workers/w/events"
# stop and remove it (its catalog entry and stream go too):
curl -s -X POST -H "$AUTH" "http://127.0.0.1:$PORT_A/v1/workers/w/stop"
curl -s -X DELETE -H "$AUTH" "http://127.0.0.1:$PORT_A/v1/workers/w"
