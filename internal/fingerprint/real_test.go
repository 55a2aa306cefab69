package fingerprint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realWants pins what Identify reads in answers recorded from the real
// programs by the lab (`go test ./internal/lab -run TestProductStatus
// -record`): product, role and cause. A cause of "" means the page alone
// does not tell which upstream failure it was.
var realWants = map[string]want{
	"apache-unreachable":   {product: "apache", role: "reverse_proxy", page: true},
	"caddy-unreachable":    {product: "caddy", role: "reverse_proxy", page: true},
	"haproxy-unreachable":  {product: "haproxy", role: "load_balancer", page: true},
	"lighttpd-unreachable": {product: "lighttpd", role: "reverse_proxy", page: true},
	// nginx's 504 says "timed out" for a connect that went unanswered too.
	"nginx-unreachable":             {product: "nginx", role: "reverse_proxy", cause: "upstream.timeout", page: true},
	"squid-unreachable":             {product: "squid", role: "reverse_proxy", page: true},
	"varnish-unreachable":           {product: "varnish", role: "reverse_proxy", page: true},
	"apache-app-error":              {product: "application", role: "application", cause: "upstream.app_error", passed: true},
	"apache-closed":                 {product: "apache", role: "reverse_proxy", page: true},
	"apache-refused":                {product: "apache", role: "reverse_proxy", page: true},
	"apache-reset":                  {product: "apache", role: "reverse_proxy", page: true},
	"apache-timeout":                {product: "apache", role: "reverse_proxy", page: true},
	"apache-tls":                    {product: "apache", role: "reverse_proxy", cause: "upstream.tls", page: true},
	"caddy-app-error":               {product: "application", role: "application", cause: "upstream.app_error", passed: true},
	"caddy-closed":                  {product: "caddy", role: "reverse_proxy", page: true},
	"caddy-invalid":                 {product: "caddy", role: "reverse_proxy", page: true},
	"caddy-refused":                 {product: "caddy", role: "reverse_proxy", page: true},
	"caddy-reset":                   {product: "caddy", role: "reverse_proxy", page: true},
	"caddy-timeout":                 {product: "caddy", role: "reverse_proxy", cause: "upstream.timeout", page: true},
	"caddy-tls":                     {product: "caddy", role: "reverse_proxy", page: true},
	"haproxy-app-error":             {product: "application", role: "application", cause: "upstream.app_error", passed: true},
	"haproxy-closed":                {product: "haproxy", role: "load_balancer", page: true},
	"haproxy-header-too-big":        {product: "haproxy", role: "load_balancer", page: true},
	"haproxy-invalid":               {product: "haproxy", role: "load_balancer", page: true},
	"haproxy-refused":               {product: "haproxy", role: "load_balancer", page: true},
	"haproxy-reset":                 {product: "haproxy", role: "load_balancer", page: true},
	"haproxy-timeout":               {product: "haproxy", role: "load_balancer", cause: "upstream.timeout", page: true},
	"haproxy-tls":                   {product: "haproxy", role: "load_balancer", page: true},
	"lighttpd-app-error":            {product: "application", role: "application", cause: "upstream.app_error", passed: true},
	"lighttpd-closed":               {product: "lighttpd", role: "reverse_proxy", page: true},
	"lighttpd-invalid":              {product: "lighttpd", role: "reverse_proxy", page: true},
	"lighttpd-refused":              {product: "lighttpd", role: "reverse_proxy", page: true},
	"lighttpd-reset":                {product: "lighttpd", role: "reverse_proxy", page: true},
	"lighttpd-timeout":              {product: "lighttpd", role: "reverse_proxy", cause: "upstream.timeout", page: true},
	"nginx-app-error":               {product: "application", role: "application", cause: "upstream.app_error", passed: true},
	"nginx-closed":                  {product: "nginx", role: "reverse_proxy", page: true},
	"nginx-header-too-big":          {product: "nginx", role: "reverse_proxy", page: true},
	"nginx-refused":                 {product: "nginx", role: "reverse_proxy", page: true},
	"nginx-reset":                   {product: "nginx", role: "reverse_proxy", page: true},
	"nginx-timeout":                 {product: "nginx", role: "reverse_proxy", cause: "upstream.timeout", page: true},
	"nginx-tls":                     {product: "nginx", role: "reverse_proxy", page: true},
	"setup-apache-php-killed":       {product: "apache", role: "reverse_proxy", page: true},
	"setup-chain-haproxy-nginx":     {product: "nginx", role: "reverse_proxy", page: true},
	"setup-nginx-custom-page":       {product: "nginx", role: "reverse_proxy"},
	"setup-nginx-no-live-upstreams": {product: "nginx", role: "reverse_proxy", page: true},
	"setup-nginx-resolver-nxdomain": {product: "nginx", role: "reverse_proxy", page: true},
	"setup-php-killed":              {product: "nginx", role: "reverse_proxy", page: true},
	"setup-php-socket-missing":      {product: "nginx", role: "reverse_proxy", page: true},
	"squid-app-error":               {product: "application", role: "application", cause: "upstream.app_error", passed: true},
	"squid-closed":                  {product: "squid", role: "reverse_proxy", cause: "upstream.closed", page: true},
	"squid-invalid":                 {product: "squid", role: "reverse_proxy", cause: "upstream.invalid_response", page: true},
	"squid-refused":                 {product: "squid", role: "reverse_proxy", page: true},
	"squid-reset":                   {product: "squid", role: "reverse_proxy", cause: "upstream.closed", page: true},
	"squid-timeout":                 {product: "squid", role: "reverse_proxy", cause: "upstream.timeout", page: true},
	"squid-tls":                     {product: "squid", role: "reverse_proxy", page: true},
	"varnish-app-error":             {product: "application", role: "application", cause: "upstream.app_error", passed: true},
	"varnish-closed":                {product: "varnish", role: "reverse_proxy", page: true},
	"varnish-header-too-big":        {product: "varnish", role: "reverse_proxy", page: true},
	"varnish-invalid":               {product: "varnish", role: "reverse_proxy", page: true},
	"varnish-refused":               {product: "varnish", role: "reverse_proxy", page: true},
	"varnish-reset":                 {product: "varnish", role: "reverse_proxy", page: true},
	"varnish-timeout":               {product: "varnish", role: "reverse_proxy", page: true},

	// The peer stopped after Squid started: X-Squid-Error carries the
	// connect's errno (ERR_CONNECT_FAIL 111).
	"setup-squid-refused-after-start": {product: "squid", role: "reverse_proxy", cause: "upstream.refused", page: true},
}

// TestRealFixtures identifies answers recorded from the real gateway
// programs. Every recorded file needs an entry in realWants and the
// reverse.
func TestRealFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/real/*.http")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".http")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			r, err := parseResponse(data)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			w, ok := realWants[name]
			if !ok {
				got := Identify(r)
				t.Fatalf("%s has no entry in realWants; Identify says %s/%s cause %q passed %v page %v",
					name, got.Generator.Product, got.Generator.Role, got.Reading.Cause, got.PassedThrough, got.ErrorPage)
			}
			got := Identify(r)
			checkWant(t, got, w)
		})
	}
	for name := range realWants {
		if !seen[name] {
			t.Errorf("realWants[%q] has no recorded file", name)
		}
	}
}
