/** `worker-runtime --help`. */
export const HOST_HELP = `Usage: worker-runtime [options]      (in the repository: npm start -- [options])

Runs the worker-runtime host: an HTTP, SSE and WebSocket API and a browser console for AI agent
Workers. Without a config file it offers a profile for each ACP agent found on PATH (gemini,
claude-agent-acp, codex-acp, opencode), else one placeholder profile without a backend.

Options:
  -c, --config <file>         JSON configuration file (also WORKER_RUNTIME_CONFIG)
      --host <address>        address to listen on (default 127.0.0.1; also WORKER_RUNTIME_HOST)
  -p, --port <port>           port to listen on (default 8787; 0 picks a free one; also WORKER_RUNTIME_PORT)
      --log-level <level>     fatal, error, warn, info (default: Worker changes), debug (adds one line
                              per request), trace or silent
      --log-format <format>   auto (default: pretty on a terminal, JSON lines otherwise), pretty or json
      --memory-budget <size>  bytes all Workers' retained observations may take in the in-memory bus
                              (e.g. 512MiB; default 256MiB or a quarter of the heap limit;
                              also WORKER_RUNTIME_MEMORY_BUDGET); past it the oldest are evicted
      --no-detect             do not look for ACP agents on PATH
  -h, --help                  show this help and exit
  -v, --version               print the version and exit

Environment:
  WORKER_RUNTIME_TOKEN        the API token (16+ characters); unset: one is generated and printed once

Every /v1 route needs "Authorization: Bearer <token>". SIGINT, SIGTERM or SIGHUP shut the host down:
streams get a final frame and live executions are stopped. Configuration fields, the API and the
contract: README.md and docs/ in the worker-runtime package.`;
