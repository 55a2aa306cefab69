package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestResultJSONRoundTrip checks that a Result read back from its JSON
// form equals the one written, but for Err, which the JSON form holds as
// Error, and a body longer than the excerpt the JSON form keeps.
func TestResultJSONRoundTrip(t *testing.T) {
	started := time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC)
	full := func() *Result {
		return &Result{
			Method: "GET", URL: "https://shop.example/checkout", Started: started,
			Addrs: []string{"[2001:db8::1]:443", "192.0.2.1:443"}, Addr: "192.0.2.1:443", Family: Family4,
			Attempts: []Attempt{
				{Addr: "[2001:db8::1]:443", Family: Family6, Class: ClassUnreachable, Error: "no route", Took: 1234 * time.Microsecond},
				{Addr: "192.0.2.1:443", Family: Family4, Connected: true, Took: 5 * time.Millisecond},
				{Addr: "192.0.2.2:443", Family: Family4, Abandoned: true, Took: 6 * time.Millisecond},
			},
			Protocol: ALPNH2,
			Timings: Timings{DNS: 1001 * time.Microsecond, Connect: 2002 * time.Microsecond, TLS: 3003 * time.Microsecond,
				TTFB: 60*time.Second + 4004*time.Microsecond, Transfer: 5005 * time.Microsecond, Total: 61*time.Second + 6006*time.Microsecond},
			Reached: PhaseHeaders, FailedIn: PhaseBody,
			TLS: &TLSInfo{Version: "TLS 1.3", ALPN: ALPNH2, ServerName: "shop.example", CipherSuite: "TLS_AES_128_GCM_SHA256",
				VerifyError: "x509: certificate has expired", Chain: []Cert{{Subject: "CN=shop.example", Issuer: "CN=CA",
					DNSNames: []string{"shop.example"}, IPs: []string{"192.0.2.1"}, NotBefore: started.Add(-time.Hour), NotAfter: started, SelfSigned: true}}},
			Response: &Response{Proto: "HTTP/2.0", Status: 502, Header: http.Header{"Retry-After": {"120"}, "Set-Cookie": {"a=1", "b=2"}},
				HeaderBytes: 180, Body: []byte("HTTP/1.1 200 OK\r\n"), BodyBytes: 17, BodyTruncated: true},
			FastCGI: &FastCGIInfo{Stderr: "Primary script unknown", StderrBytes: 22, Ended: true, AppStatus: 1, ProtocolStatus: "request_complete", Records: 4},
			Class:   ClassBodyTruncated, Error: "reading body: unexpected EOF", H2Code: "INTERNAL_ERROR", H2Debug: "bye",
		}
	}
	binary := full()
	binary.Response.Body = []byte{0x1f, 0x8b, 0x08, 0xff}
	long := full()
	long.Response.Body = bytes.Repeat([]byte("x"), 3*jsonBodyBytes)
	withErr := full()
	withErr.Err = errors.New("reading body: unexpected EOF")
	empty := full()
	empty.Response.Body = nil
	tests := []struct {
		name     string
		in       *Result
		wantBody []byte
	}{
		{"text body", full(), []byte("HTTP/1.1 200 OK\r\n")},
		{"binary body", binary, []byte{0x1f, 0x8b, 0x08, 0xff}},
		{"long body", long, bytes.Repeat([]byte("x"), jsonBodyBytes)},
		{"no body", empty, nil},
		{"with Err", withErr, []byte("HTTP/1.1 200 OK\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got Result
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("reading %s: %v", b, err)
			}
			want := *tt.in
			r := *want.Response
			r.Body = tt.wantBody
			want.Response, want.Err = &r, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\ngot  %+v\nwant %+v\nJSON %s", got, want, b)
			}
		})
	}
}

// TestKeepAliveResultJSONRoundTrip checks that Idle survives the JSON form.
func TestKeepAliveResultJSONRoundTrip(t *testing.T) {
	in := KeepAliveResult{Status: 200, Reusable: true, Closed: true, Idle: 1002 * time.Millisecond, Class: ClassReset, Error: "reset"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"idle_ms":1002`) {
		t.Errorf("JSON %s has no idle_ms", b)
	}
	var got KeepAliveResult
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got != in {
		t.Errorf("round trip: got %+v, want %+v", got, in)
	}
}
