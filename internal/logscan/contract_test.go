package logscan

// catalog is the list of cause IDs in docs/causes.md, the public contract;
// cmd/gwdoctor checks every cause the package names against it.
var catalog = []string{
	"ok", "client.request_state", "client.dns", "client.network", "dns.failure",
	"edge.unreachable", "edge.tls", "cdn.origin_unreachable", "cdn.origin_timeout",
	"cdn.origin_tls", "cdn.origin_invalid", "cdn.internal", "upstream",
	"upstream.refused", "upstream.permission", "upstream.unreachable", "upstream.dns",
	"upstream.timeout", "upstream.closed", "upstream.invalid_response",
	"upstream.header_too_big", "upstream.tls", "upstream.none_healthy",
	"upstream.overloaded", "upstream.truncated", "upstream.app_error", "unknown",
}
