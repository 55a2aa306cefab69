package fingerprint

import (
	"net/http"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

func TestReadPaste(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		wantForm   string
		wantStatus int
		wantFrom   string
		wantServer string
		wantBody   string
		wantUnseen bool
	}{
		{"raw response", "HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\n\r\n<html>x</html>", FormResponse, 502, StatusFromLine, "nginx", "<html>x</html>", false},
		{"http/2 headers alone", "HTTP/2 520 \ncontent-length: 0\nserver: cloudflare\n", FormResponse, 520, StatusFromLine, "cloudflare", "", false},
		{"headers, body not shown", "HTTP/1.1 503 Service Unavailable\nserver: envoy\ncontent-length: 211\n", FormResponse, 503, StatusFromLine, "envoy", "", true},
		{"devtools headers with status", "content-type: text/html\nserver: CloudFront\nstatus: 503\n", FormHeaders, 503, StatusFromLine, "CloudFront", "", true},
		{"html body", "<html><head><title>504 Gateway Time-out</title></head><body>x</body></html>", FormHTML, 504, StatusFromPage, "", "", false},
		{"screen text", "Error 503 Backend fetch failed\nBackend fetch failed", FormText, 503, StatusFromPage, "", "", false},
		{"cloudflare 1xxx", "Error 1033\nRay ID: 99e3e433659710be\nCloudflare Tunnel error", FormText, 530, StatusFromPage, "", "", false},
		{"json", `{"message": "Endpoint request timed out"}`, FormJSON, 0, "", "", "", false},
		{"curl -v", "* Connected to x (127.0.0.1) port 80\n> GET / HTTP/1.1\n> Host: x\n>\n< HTTP/1.1 503 Service Unavailable\n< server: envoy\n<\n* Connection #0 to host x left intact\nno healthy upstream", FormResponse, 503, StatusFromLine, "envoy", "no healthy upstream", false},
		{"curl -v, empty body", "< HTTP/1.1 502 Bad Gateway\r\n< Content-Length: 0\r\n<\r\n", FormResponse, 502, StatusFromLine, "", "", false},
		{"html body is not curl -v", "<html>\n<head><title>502 Bad Gateway</title></head>\n</html>", FormHTML, 502, StatusFromPage, "", "", false},
		{"no status stated", "something went wrong", FormText, 0, "", "", "", false},
		{"browser's own page", "This page isn't working\nexample.com is currently unable to handle this request.\nHTTP ERROR 502", FormText, 502, StatusFromPage, "", "", false},
		{"pm2 prefix", "1|web | <html>\n1|web | <head><title>502 Bad Gateway</title></head>\n1|web | </html>", FormHTML, 502, StatusFromPage, "", "<html>\n<head><title>502 Bad Gateway</title></head>\n</html>", false},
		{"compose prefix", "proxy_1  | HTTP/1.1 502 Bad Gateway\nproxy_1  | Server: nginx\nproxy_1  | \nproxy_1  | oops", FormResponse, 502, StatusFromLine, "nginx", "oops", false},
		{"prefix on some lines only", "a | b\nc", FormText, 0, "", "", "a | b\nc", false},
		{"axios error response", `{"data":"<html><title>503</title></html>","status":503,"statusText":"Service Unavailable","headers":{"server":"lighttpd"},"config":{"url":"x"}}`, FormResponse, 503, StatusFromLine, "lighttpd", "<html><title>503</title></html>", false},
		{"json with a status is a body", `{"status": 503, "error": "down"}`, FormJSON, 0, "", "", "", false},
		{"json with data and status is a body", `{"status": 503, "data": {"error": "down"}}`, FormJSON, 0, "", "", "", false},
		{"indented curl -v", "\t$ curl -v http://x/\n\t< HTTP/1.1 502 Bad Gateway\n\t< Server: nginx\n\t<\n\toops", FormResponse, 502, StatusFromLine, "nginx", "oops", false},
		{"command line first", "user@host:~$ curl -si http://x/\nHTTP/1.1 503 Service Unavailable\nServer: envoy\n\nno healthy upstream", FormResponse, 503, StatusFromLine, "envoy", "no healthy upstream", false},
		{"requests error", "requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: https://x/", FormText, 502, StatusFromPage, "", "", false},
		{"status code in a sentence", "ClientError: Response error with status code 503: Service Unavailable", FormText, 503, StatusFromPage, "", "", false},
		{"status code in parentheses", "unable to load the page (Status code: 504)", FormText, 504, StatusFromPage, "", "", false},
		{"status field", "ServiceApiException [httpStatusCode = 504, errorCode = UNKNOWN]", FormText, 504, StatusFromPage, "", "", false},
		{"exit status is no http status", "process exited with status 1", FormText, 0, "", "", "", false},
		{"har export", `{"log":{"version":"1.2","entries":[{"request":{"url":"https://x/app.js"},"response":{"status":200,"statusText":"OK","headers":[],"content":{"text":"x"}}},` +
			`{"request":{"url":"https://x/api"},"response":{"status":502,"statusText":"","headers":[{"name":"server","value":"cloudflare"},{"name":"cf-ray","value":"8a1b-AMS"}],"content":{"mimeType":"text/html","text":"PGh0bWw+PC9odG1sPg==","encoding":"base64"}}}]}}`,
			FormResponse, 502, StatusFromLine, "cloudflare", "<html></html>", false},
		{"request-promise error", "| read secret failed: 503 - {\"errors\":[\"Vault is sealed\"]}\n| StatusCodeError: 503 - {\"errors\":[\"Vault is sealed\"]}", FormJSON, 503, StatusFromPage, "", `{"errors":["Vault is sealed"]}`, false},
		{"foundation description", "<NSHTTPURLResponse: 0x1> { URL: https://x/ } { Status Code: 502, Headers {\n    Server =     (\n        \"nginx/1.8.0\"\n    );\n    \"Content-Length\" =     (\n        166\n    );\n} }", FormHeaders, 502, StatusFromLine, "nginx/1.8.0", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ReadPaste([]byte(tt.in))
			r := p.Response
			if p.Form != tt.wantForm || r.Status != tt.wantStatus || p.StatusFrom != tt.wantFrom {
				t.Errorf("ReadPaste = form %q status %d from %q, want %q %d %q", p.Form, r.Status, p.StatusFrom, tt.wantForm, tt.wantStatus, tt.wantFrom)
			}
			if got := r.Header.Get("Server"); got != tt.wantServer {
				t.Errorf("Server = %q, want %q", got, tt.wantServer)
			}
			if tt.wantBody != "" && string(r.Body) != tt.wantBody {
				t.Errorf("Body = %q, want %q", r.Body, tt.wantBody)
			}
			if unseen := r.BodyTruncated && len(r.Body) == 0; unseen != tt.wantUnseen {
				t.Errorf("body unseen = %v, want %v", unseen, tt.wantUnseen)
			}
		})
	}
}

// TestEvidence checks which identifications rest on a product's marker and
// which on a rule of thumb, and that a rule of thumb never outranks a
// header that only one vendor sets.
func TestEvidence(t *testing.T) {
	tests := []struct {
		name         string
		resp         Response
		wantProduct  string
		wantRole     string
		wantEvidence string
	}{
		{"nginx page", Response{Status: 502, Body: []byte(nginx502)}, "nginx", "reverse_proxy", EvidenceMarker},
		{"empty 502, no Server: Go's ReverseProxy", Response{Status: 502}, "go", "reverse_proxy", EvidenceFallback},
		{"empty 502 with Cloudflare's headers is not Go's",
			Response{Status: 502, Header: http.Header{"Cf-Ray": {"8466a1b2c3d4e5f6-FRA"}}}, "unknown", "reverse_proxy", EvidenceFallback},
		{"unknown HTML page",
			Response{Status: 502, Body: []byte("<html><body><h1>Oops</h1></body></html>")}, "unknown", "unknown", EvidenceFallback},
		{"unknown text", Response{Status: 503, Body: []byte("maintenance, back soon")}, "unknown", "unknown", EvidenceFallback},
		{"JSON error body is the application's", Response{Status: 502, Body: []byte(`{"error":"boom"}`)}, "application", "application", EvidenceFallback},
		{"shared doctype alone is not Apache",
			Response{Status: 503, Body: []byte(`<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN"><html><body><h1>We are down</h1></body></html>`)},
			"unknown", "unknown", EvidenceFallback},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Identify(tt.resp)
			checkResult(t, got)
			g := got.Generator
			if g.Product != tt.wantProduct || g.Role != tt.wantRole || got.Evidence != tt.wantEvidence {
				t.Errorf("Identify = %s/%s (%s), evidence %q; want %s/%s, %q",
					g.Product, g.Role, g.Signature, got.Evidence, tt.wantProduct, tt.wantRole, tt.wantEvidence)
			}
			if g.Product == string(catalog.UnknownProduct) && g.Role == string(catalog.RoleUnknown) && (got.Reading.Detail == "" || g.Confidence != confLow) {
				t.Errorf("unknown generator: detail %q, confidence %q; want a reason and low", got.Reading.Detail, g.Confidence)
			}
		})
	}
}

// TestPastedText checks pages pasted as the text a browser shows: with
// the title above the heading, a signature with a version that is no
// number, a status reason with a hyphen.
func TestPastedText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ text, product string }{
		{"502 Bad Gateway\n502 Bad Gateway\nnginx/1.21.6", "nginx"},
		{"504 Gateway Time-out\nMicrosoft-Azure-Application-Gateway/v2", "azure_app_gateway"},
		{"523 Origin Unreachable\n523 Origin Unreachable\ncloudflare-nginx", "cloudflare"},
		{"502 ERROR\nThe request could not be satisfied.\nThe Lambda function returned invalid JSON.", "cloudfront"},
		{"504 Gateway Time-out\nThe server didn't respond in time.", "haproxy"},
		{"We're sorry, but something went wrong.\nIf you are the application owner check the logs for more information.", "application"},
		{"502 Bad Gateway\nSomething else entirely", "unknown"},
	} {
		r, _ := IdentifyPaste([]byte(tc.text))
		if got := r.Generator.Product; got != tc.product && !(tc.product == "unknown" && got == "") {
			t.Errorf("%q: generated by %q, want %s", tc.text, got, tc.product)
		}
	}
}

// TestGoDialError: a small Go proxy's body that is its dial error names
// the cause; other text names none.
func TestGoDialError(t *testing.T) {
	for in, want := range map[string]catalog.Cause{
		"dial tcp: lookup nodns.boo: no such host":                      catalog.UpstreamDNS,
		"dial tcp: lookup db on 127.0.0.11:53: no such host":            catalog.UpstreamDNS,
		"dial tcp: lookup windmill_server: i/o timeout":                 catalog.UpstreamDNS,
		"dial tcp 10.0.0.5:8080: connect: connection refused":           catalog.UpstreamRefused,
		"dial tcp [::1]:3000: connect: connection refused":              catalog.UpstreamRefused,
		"dial tcp 10.0.0.5:8080: i/o timeout":                           catalog.UpstreamUnreachable,
		"dial tcp 10.0.0.5:8080: connect: no route to host":             catalog.UpstreamUnreachable,
		"dial unix /run/app.sock: connect: no such file or directory":   catalog.UpstreamRefused,
		"dial unix /run/app.sock: connect: permission denied":           catalog.UpstreamPermission,
		"read tcp 10.0.0.1:5000->10.0.0.5:8080: read: connection reset": "",
		"the dial tone is gone; no such host in the building":           "",
	} {
		if got := goDialError(in); got != want {
			t.Errorf("goDialError(%q) = %q, want %q", in, got, want)
		}
	}
	res := Identify(Response{Status: 502, Body: []byte("dial tcp 10.0.0.5:8080: connect: connection refused")})
	if res.Reading.Cause != catalog.UpstreamRefused || res.Generator.Product != string(catalog.UnknownProduct) {
		t.Errorf("Identify = %s cause %q, want unknown with upstream.refused", res.Generator.Product, res.Reading.Cause)
	}
}

// TestXMLErrorIsApplication: an API's XML error object with a gateway
// status is the application's answer, as its JSON one is.
func TestXMLErrorIsApplication(t *testing.T) {
	body := `<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code></Error></ErrorResponse>`
	res := Identify(Response{Status: 503, Body: []byte(body)})
	if res.Generator.Product != string(catalog.Application) || res.Reading.Cause != catalog.UpstreamAppError {
		t.Errorf("Identify = %s cause %q, want the application's own error", res.Generator.Product, res.Reading.Cause)
	}
	res = Identify(Response{Status: 503, Body: []byte("<html><body>Service Unavailable</body></html>")})
	if res.Generator.Product == string(catalog.Application) {
		t.Errorf("an HTML page read as the application's")
	}
}
