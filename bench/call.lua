-- wrk script: POST one MCP JSON-RPC request, the same every time.
-- Environment: TOKEN, SESSION, BODY (the JSON-RPC request).
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Mcp-Session-Id"] = os.getenv("SESSION")
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"

local errors = 0

function response(status, headers, body)
	if status ~= 200 or body:find('"isError":true') then
		errors = errors + 1
		if errors == 1 then
			io.stderr:write("unexpected answer ", status, ": ",
				body:sub(1, 300), "\n")
		end
	end
end

function done(summary, latency, requests)
	io.write(string.format("rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
		summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
