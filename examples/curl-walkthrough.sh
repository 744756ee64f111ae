#!/usr/bin/env bash
# A single-host walkthrough of the HTTP API with curl: create a Worker, stream its events, send
# input, cancel a run, read the transcript, stop and remove it. Each step prints the reply and
# checks its status, so the script stops at the first surprise.
#
# Start a host with the scripted fake backend (a test double, not a model) in another terminal:
#   WORKER_RUNTIME_TOKEN=walkthrough-token-0123456789 npm start -- --config examples/host-fake.json
# then run:
#   WORKER_RUNTIME_TOKEN=walkthrough-token-0123456789 examples/curl-walkthrough.sh
set -euo pipefail

URL="${WORKER_RUNTIME_URL:-http://127.0.0.1:8787}"
TOKEN="${WORKER_RUNTIME_TOKEN:?set WORKER_RUNTIME_TOKEN to the host token}"
WORKER="${WORKER_ID:-walkthrough}"
AUTH="Authorization: Bearer $TOKEN"

# call <expected status> <method> <path> [json body]: prints the reply, fails on another status.
call() {
  local expected="$1" method="$2" path="$3" body="${4:-}" reply status
  echo "> $method $path ${body}"
  if [ -n "$body" ]; then
    reply="$(curl -sS -X "$method" "$URL$path" -H "$AUTH" -H 'Content-Type: application/json' -d "$body" -w '\n%{http_code}')"
  else
    reply="$(curl -sS -X "$method" "$URL$path" -H "$AUTH" -w '\n%{http_code}')"
  fi
  status="${reply##*$'\n'}"
  echo "< $status ${reply%$'\n'*}"
  if [ "$status" != "$expected" ]; then echo "expected HTTP $expected, got $status" >&2; exit 1; fi
}

# wait_for <text>: polls the Worker until its projection contains <text> (10 s at most).
wait_for() {
  for _ in $(seq 1 100); do
    curl -sS "$URL/v1/workers/$WORKER" -H "$AUTH" | grep -q "$1" && return 0
    sleep 0.1
  done
  echo "the Worker never showed $1" >&2
  exit 1
}

# wait_for_event <text>: waits until the event stream carried <text> (10 s at most).
wait_for_event() {
  for _ in $(seq 1 100); do
    grep -q "$1" "$EVENTS" && return 0
    sleep 0.1
  done
  echo "the stream never carried $1" >&2
  exit 1
}

# 1. Create a Worker on the `scripted` profile (201; 200 if it already exists with that profile).
call 201 POST /v1/workers "{\"workerId\":\"$WORKER\",\"profile\":\"scripted\"}"

# 2. Stream its events (SSE) in the background; each observation carries `id: <cursor>` to resume with Last-Event-ID.
EVENTS="$(mktemp)"
curl -sS -N --max-time 60 "$URL/v1/workers/$WORKER/events" -H "$AUTH" > "$EVENTS" &
STREAM=$!
trap 'kill $STREAM 2>/dev/null || true; rm -f "$EVENTS"' EXIT

# 3. Send input (202 accepted, with its submission id); the run ends on its own, its last event
#    on the stream being the backend's `status: idle`.
call 202 POST "/v1/workers/$WORKER/input" '{"kind":"user","content":"Say hello"}'
wait_for_event '"status":"idle"'

# 4. Start a run that stays open (`#hold` is the fake's cue for that), then cancel it (202 cancelled).
call 202 POST "/v1/workers/$WORKER/input" '{"kind":"user","content":"a long job #hold"}'
call 409 POST "/v1/workers/$WORKER/input" '{"kind":"notify","message":"are you busy?"}'
call 202 POST "/v1/workers/$WORKER/cancel"
wait_for '"state":"idle"'

# 5. The transcript, derived from the observation stream.
call 200 GET "/v1/workers/$WORKER/transcript"

# 6. Stop the Worker, then remove it (a live Worker cannot be removed: 409 worker_live).
call 202 POST "/v1/workers/$WORKER/stop"
call 202 DELETE "/v1/workers/$WORKER"
call 404 GET "/v1/workers/$WORKER"

# The stream ends when the Worker goes; show what it carried.
wait "$STREAM" || true
echo "--- events streamed:"
grep '^event:' "$EVENTS" | sort | uniq -c
