package target

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		in         string
		host, port string
		candidates []string
		notes      []string
	}{
		{in: "shop.example", host: "shop.example",
			candidates: []string{"https://shop.example/", "http://shop.example/"}},
		{in: "  shop.example\t", host: "shop.example",
			candidates: []string{"https://shop.example/", "http://shop.example/"}},
		{in: "shop.example/cart?x=1", host: "shop.example",
			candidates: []string{"https://shop.example/cart?x=1", "http://shop.example/cart?x=1"}},
		{in: "shop.example?x=1#top", host: "shop.example",
			candidates: []string{"https://shop.example/?x=1", "http://shop.example/?x=1"}},
		{in: "shop.example:8443", host: "shop.example", port: "8443",
			candidates: []string{"https://shop.example:8443/", "http://shop.example:8443/"}},
		{in: "shop.example:443", host: "shop.example", port: "443",
			candidates: []string{"https://shop.example/", "http://shop.example:443/"}},
		{in: "shop.example:", host: "shop.example",
			candidates: []string{"https://shop.example/", "http://shop.example/"}},
		{in: "shop.example:08080", host: "shop.example", port: "8080",
			candidates: []string{"https://shop.example:8080/", "http://shop.example:8080/"}},
		{in: "127.0.0.1:8080/path", host: "127.0.0.1", port: "8080",
			candidates: []string{"https://127.0.0.1:8080/path", "http://127.0.0.1:8080/path"}},
		{in: "[::1]:8080/x", host: "::1", port: "8080",
			candidates: []string{"https://[::1]:8080/x", "http://[::1]:8080/x"}},
		{in: "[2001:DB8:0::1]", host: "2001:db8::1",
			candidates: []string{"https://[2001:db8::1]/", "http://[2001:db8::1]/"}},
		{in: "http://shop.example/a", host: "shop.example",
			candidates: []string{"http://shop.example/a"}},
		{in: "HTTPS://Shop.Example:443/A", host: "shop.example", port: "443",
			candidates: []string{"https://shop.example/A"}},
		{in: "https://[::1]:8443", host: "::1", port: "8443",
			candidates: []string{"https://[::1]:8443/"}},
		{in: "SHOP.EXAMPLE", host: "shop.example",
			candidates: []string{"https://shop.example/", "http://shop.example/"}},
		{in: "shop.example.", host: "shop.example",
			candidates: []string{"https://shop.example/", "http://shop.example/"}},
		{in: "bücher.example/straße", host: "xn--bcher-kva.example",
			candidates: []string{"https://xn--bcher-kva.example/stra%C3%9Fe", "http://xn--bcher-kva.example/stra%C3%9Fe"},
			notes:      []string{"bücher.example is xn--bcher-kva.example in DNS"}},
		{in: "http://BÜCHER.example", host: "xn--bcher-kva.example",
			candidates: []string{"http://xn--bcher-kva.example/"},
			notes:      []string{"BÜCHER.example is xn--bcher-kva.example in DNS"}},
		{in: "xn--bcher-kva.example", host: "xn--bcher-kva.example",
			candidates: []string{"https://xn--bcher-kva.example/", "http://xn--bcher-kva.example/"}},
		{in: "r3---sn-abc.example", host: "r3---sn-abc.example",
			candidates: []string{"https://r3---sn-abc.example/", "http://r3---sn-abc.example/"}},
		{in: "my_host.example", host: "my_host.example",
			candidates: []string{"https://my_host.example/", "http://my_host.example/"}},
		{in: "localhost", host: "localhost",
			candidates: []string{"https://localhost/", "http://localhost/"}},
		{in: "shop.example/a b?q=ü", host: "shop.example",
			candidates: []string{"https://shop.example/a%20b?q=%C3%BC", "http://shop.example/a%20b?q=%C3%BC"}},
		{in: `shop.example\a\b?x=\`, host: "shop.example",
			candidates: []string{`https://shop.example/a/b?x=\`, `http://shop.example/a/b?x=\`}},
		{in: "shop.example/redirect?to=http://other.example/", host: "shop.example",
			candidates: []string{"https://shop.example/redirect?to=http://other.example/", "http://shop.example/redirect?to=http://other.example/"}},
		{in: "bob@shop.example", host: "shop.example",
			candidates: []string{"https://shop.example/", "http://shop.example/"},
			notes:      []string{`the user name "bob" in the address is not sent`}},
		{in: "https://bob:s3cret@shop.example/", host: "shop.example",
			candidates: []string{"https://shop.example/"},
			notes:      []string{`the user name "bob" and password in the address are not sent`}},
		{in: long63 + ".example", host: long63 + ".example",
			candidates: []string{"https://" + long63 + ".example/", "http://" + long63 + ".example/"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got.Host != tt.host || got.Port != tt.port {
				t.Errorf("host, port = %q, %q; want %q, %q", got.Host, got.Port, tt.host, tt.port)
			}
			if !slices.Equal(got.Candidates, tt.candidates) {
				t.Errorf("candidates = %q; want %q", got.Candidates, tt.candidates)
			}
			if !slices.Equal(got.Notes, tt.notes) {
				t.Errorf("notes = %q; want %q", got.Notes, tt.notes)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		in   string
		want string // part of the message
	}{
		{"", "empty input"},
		{"   ", "empty input"},
		{"spaces in name", "invalid character ' '"},
		{"http://", "no host name"},
		{"https:///path", "no host name"},
		{"ftp://x", `scheme "ftp": only http and https`},
		{"javascript://x", `scheme "javascript"`},
		{":80", "no host name"},
		{"a..b", "empty label"},
		{".shop.example", "empty label"},
		{"shop.example..", "empty label"},
		{strings.Repeat("a.", 127) + "ab", "more than 253"},
		{strings.Repeat("a", 64) + ".example", "more than 63"},
		{"shop.example:http", `invalid port "http"`},
		{"shop.example:0", `invalid port "0"`},
		{"shop.example:65536", `invalid port "65536"`},
		{"shop.example:-1", `invalid port "-1"`},
		{"shop.example:80:80", `more than one ':'`},
		{"::1", "needs brackets"},
		{"[::1", "no closing bracket"},
		{"[::1]x", `unexpected "x"`},
		{"[shop.example]", "invalid IPv6 address"},
		{"[127.0.0.1]", "invalid IPv6 address"},
		{"256.1.1.1", "invalid IPv4 address"},
		{"shop.exa<mple", "invalid character '<'"},
		{"shop.example\n/x", "control character"},
		{"user@", "no host name"},
		{"\xbc0.example", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Parse(%q) error = %v; want an *InputError", tt.in, err)
			}
			got := err.Error()
			if !strings.Contains(got, tt.want) {
				t.Errorf("error = %q; want it to contain %q", got, tt.want)
			}
			if strings.Contains(got, "\n") {
				t.Errorf("error = %q; want one line", got)
			}
		})
	}
}

// FuzzParse checks that Parse never panics, refuses with a one-line
// InputError, and that every candidate it makes is a canonical URL that
// Parse reads back as itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"shop.example", "[::1]:8080/x", "bücher.example/ü?q= 1", "https://u:p@A.example.:443/#f", "a..b", ":80", "ftp://x", "\xbc0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Parse(in)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Parse(%q) error = %q; want a one-line *InputError", in, err)
			}
			return
		}
		if got.Host == "" || len(got.Host) > maxHostLen || len(got.Candidates) == 0 {
			t.Fatalf("Parse(%q) = host %q, candidates %q", in, got.Host, got.Candidates)
		}
		for _, c := range got.Candidates {
			u, err := absolute(c)
			if err != nil || u.String() != c {
				t.Fatalf("candidate %q of %q: canonical %v, %v", c, in, u, err)
			}
			again, err := Parse(c)
			if err != nil || !slices.Equal(again.Candidates, []string{c}) {
				t.Fatalf("Parse(%q) = %q, %v; want itself", c, again.Candidates, err)
			}
		}
	})
}
