package logscan

import (
	"testing"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// TestVSLRecord checks the layouts of varnishlog's lines
// (lib/libvarnishapi/vsl.c): grouped by transaction, raw, Varnish 3's,
// and lines laid out otherwise.
func TestVSLRecord(t *testing.T) {
	tests := []struct {
		line, tag, value string
		ok               bool
	}{
		{"-   FetchError     no backend connection", "FetchError", "no backend connection", true},
		{"--  BereqURL       /api?x=1", "BereqURL", "/api?x=1", true},
		{"-   BerespProtocol HTTP/1.1", "BerespProtocol", "HTTP/1.1", true},
		{"-   End", "End", "", true},
		{"*   << BeReq    >> 32770", "", "", true},
		{"     32770 FetchError     b backend default: fail errno 111 (Connection refused)", "FetchError", "backend default: fail errno 111 (Connection refused)", true},
		{"   14 FetchError   c no backend connection", "FetchError", "no backend connection", true},
		{"- FetchError no backend connection", "", "", false},
		{"-   fetch error, maybe", "", "", false},
		{"- 2023-06-10 18:36:03: (../src/server.c.1909) server started", "", "", false},
		{"12345 Something happened", "", "", false},
		{"     32770 FetchError     x no backend connection", "", "", false},
	}
	for _, tc := range tests {
		tag, value, ok := vslRecord([]byte(tc.line))
		if ok != tc.ok || string(tag) != tc.tag || string(value) != tc.value {
			t.Errorf("%q: %q, %q, %v; want %q, %q, %v", tc.line, tag, value, ok, tc.tag, tc.value, tc.ok)
		}
	}
}

// TestParseVarnish reads a backend transaction as varnishlog groups it:
// the FetchError takes the transaction's time, method, URL and backend,
// and each FetchError of varnishd's maps to its cause.
func TestParseVarnish(t *testing.T) {
	tx := []string{
		"*   << BeReq    >> 32770",
		"-   Begin          bereq 32769 fetch",
		"-   Timestamp      Start: 1496159346.530049 0.000000 0.000000",
		"-   BereqMethod    POST",
		"-   BereqURL       /cart",
		"-   BackendOpen    19 default 127.0.0.1 8080 127.0.0.1 41344",
	}
	p := newParser(t, "varnish", tx...)
	for _, l := range tx {
		var e Entry
		if v := p.parse([]byte(l), &e); v != lineOK {
			t.Fatalf("%q: verdict %d, want %d", l, v, lineOK)
		}
	}
	var e Entry
	v := p.parse([]byte("-   FetchError     http first read error: EOF"), &e)
	want := time.Date(2017, 5, 30, 15, 49, 6, 530049000, time.UTC)
	if v != lineFailure || e.Cause != catalog.Upstream || e.Status != 503 || e.Method != "POST" || e.Path != "/cart" || e.Upstream != "127.0.0.1:8080" || !e.Time.Round(time.Microsecond).Equal(want) {
		t.Errorf("got %d %+v; want an undetermined failure of POST /cart to 127.0.0.1:8080 at %v", v, e, want)
	}

	for _, tc := range []struct {
		msg   string
		cause catalog.Cause
	}{
		{"no backend connection", catalog.Upstream},
		{"backend default: fail errno 111 (Connection refused)", catalog.UpstreamRefused},
		{"backend boot.default: fail errno 110 (Connection timed out)", catalog.UpstreamUnreachable},
		{"backend default: unhealthy", catalog.UpstreamNoneHealthy},
		{"backend default: busy", catalog.UpstreamOverloaded},
		{"first byte timeout", catalog.UpstreamTimeout},
		{"backend closed", catalog.UpstreamClosed},
		{"Received junk", catalog.UpstreamInvalid},
		{"http first read error: overflow", catalog.UpstreamHeaderTooBig},
		{"straight insufficient bytes", catalog.UpstreamTruncated},
		{"Could not get storage", catalog.Unknown},
		{"req.body read error: 11 (Resource temporarily unavailable)", ""},
	} {
		if got := varnishFetchCause([]byte(tc.msg)); got != tc.cause {
			t.Errorf("%q: %q, want %q", tc.msg, got, tc.cause)
		}
	}
}
