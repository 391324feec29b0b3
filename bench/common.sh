# Shell functions shared by the benchmark scripts (sourced).

# bench_conf FILE PORT DATABASE BUILD [SERVER_LINES]: write a lejr.conf
# for lejrd on loopback with the journal and reports plugins; more
# [server] lines in SERVER_LINES, log_level = warn unless they say
bench_conf() {
	cat >"$1" <<CONF
[server]
listen = 127.0.0.1
port = $2
public_url = http://127.0.0.1:$2
database = $3
${5:-log_level = warn}

[plugins]
directory = $4/.libs
load = journal reports
CONF
}

# bench_token BUILD DATABASE ROLE ACCESS: create the organization
# "bench", a member of it with ROLE, and print a token with ACCESS
bench_token() {
	"$1/lejrctl" -d "$2" org create bench "Bench Ltd" EUR >/dev/null
	"$1/lejrctl" -d "$2" user create bench@lejr.example "Bench" \
		>/dev/null
	"$1/lejrctl" -d "$2" member set bench bench@lejr.example "$3" \
		>/dev/null
	"$1/lejrctl" -d "$2" token create bench@lejr.example --org bench \
		--access "$4" 2>/dev/null | grep -o 'lejr_pat_[A-Za-z0-9_-]*'
}

# bench_session URL TOKEN: initialize an MCP session, print its id
bench_session() {
	curl -s -D - -o /dev/null "$1" \
		-H 'Content-Type: application/json' \
		-H 'Accept: application/json, text/event-stream' \
		-H "Authorization: Bearer $2" \
		-d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{
		"protocolVersion":"2025-06-18","capabilities":{},
		"clientInfo":{"name":"bench","version":"1"}}}' |
		tr -d '\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p'
}
