package catalog

// IsGatewayStatus reports whether status is one that gateways use to report
// an upstream failure: 502, 503 and 504 (RFC 9110, 15.6), and Cloudflare's
// 520 to 527 and 530 (developers.cloudflare.com, "Cloudflare 5xx errors").
// It is the one definition of a gateway error: diagnose judges tries by it,
// fingerprint reads pages by it and logscan counts log lines by it.
func IsGatewayStatus(status int) bool {
	switch {
	case status >= 502 && status <= 504:
		return true
	case status >= 520 && status <= 527, status == 530:
		return true
	}
	return false
}
