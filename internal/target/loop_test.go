package target

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestLoopShape(t *testing.T) {
	hop := func(scheme, host string) Hop { return Hop{Scheme: scheme, Host: host} }
	tests := []struct {
		name  string
		cycle []Hop
		want  LoopKind
	}{
		{"http and https on one host", []Hop{hop("http", "a.example"), hop("https", "a.example")}, LoopScheme},
		{"https to itself", []Hop{hop("https", "a.example")}, LoopScheme},
		{"http to itself", []Hop{hop("http", "a.example")}, LoopOther},
		{"https on one host, two paths", []Hop{hop("https", "a.example"), hop("https", "a.example")}, LoopOther},
		{"host and www", []Hop{hop("https", "a.example"), hop("https", "www.a.example")}, LoopWWW},
		{"www and host, schemes too", []Hop{hop("http", "www.a.example"), hop("https", "a.example")}, LoopWWW},
		{"two unrelated hosts", []Hop{hop("https", "a.example"), hop("https", "b.example")}, LoopOther},
		{"www of another name", []Hop{hop("https", "a.example"), hop("https", "www.b.example")}, LoopOther},
		{"three hosts", []Hop{hop("https", "a.example"), hop("https", "www.a.example"), hop("https", "c.example")}, LoopOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := loopShape(tt.cycle); got != tt.want {
				t.Errorf("loopShape = %s; want %s", got, tt.want)
			}
		})
	}
}

func TestLoopKindText(t *testing.T) {
	tests := []struct {
		kind LoopKind
		want string
	}{
		{LoopOther, "other"}, {LoopScheme, "scheme"}, {LoopWWW, "www"},
		{LoopCookie, "cookie"}, {LoopEndless, "endless"}, {LoopKind(42), "LoopKind(42)"},
	}
	for _, tt := range tests {
		if got := tt.kind.String(); got != tt.want {
			t.Errorf("LoopKind(%d).String() = %q; want %q", int(tt.kind), got, tt.want)
		}
	}
	b, err := json.Marshal(Loop{Kind: LoopWWW})
	if want := `"kind":"www"`; err != nil || !json.Valid(b) || !strings.Contains(string(b), want) {
		t.Errorf("json = %s, %v; want %s in it", b, err, want)
	}
}

func TestJar(t *testing.T) {
	tests := []struct {
		name      string
		set       [][]string // Set-Cookie lines of successive responses from a.example
		scheme    string
		want      string
		wantNames []string
	}{
		{"in the order set", [][]string{{"b=2", "a=1"}}, "http", "b=2; a=1", []string{"b", "a"}},
		{"a later value replaces", [][]string{{"a=1"}, {"a=2"}}, "http", "a=2", []string{"a"}},
		{"Max-Age=0 deletes", [][]string{{"a=1", "b=2"}, {"a=; Max-Age=0"}}, "http", "b=2", []string{"b"}},
		{"Secure over https", [][]string{{"a=1; Secure"}}, "https", "a=1", []string{"a"}},
		{"Secure not over http", [][]string{{"a=1; Secure", "b=2"}}, "http", "b=2", []string{"b"}},
		{"unparsable ignored", [][]string{{"=nameless", "a=1"}}, "http", "a=1", []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := jar{}
			for _, lines := range tt.set {
				j.store("a.example", http.Header{"Set-Cookie": lines})
			}
			got, names := j.header(tt.scheme, "a.example")
			if got != tt.want || !slices.Equal(names, tt.wantNames) {
				t.Errorf("header = %q, %q; want %q, %q", got, names, tt.want, tt.wantNames)
			}
			if other, _ := j.header(tt.scheme, "b.example"); other != "" {
				t.Errorf("header for another host = %q; want none", other)
			}
		})
	}
}

func TestWithCookie(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		cookie string
		want   []string
	}{
		{"no header", nil, "a=1", []string{"a=1"}},
		{"nothing to add", http.Header{"Cookie": {"u=1"}}, "", []string{"u=1"}},
		{"added to the user's", http.Header{"Cookie": {"u=1"}}, "a=1", []string{"u=1; a=1"}},
		{"lowercase key", http.Header{"cookie": {"u=1"}}, "a=1", []string{"u=1; a=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.header.Clone()
			got := withCookie(tt.header, tt.cookie)
			if v := got.Values("Cookie"); !slices.Equal(v, tt.want) {
				t.Errorf("Cookie = %q; want %q", v, tt.want)
			}
			if len(before) != len(tt.header) {
				t.Errorf("the caller's header changed: %v; want %v", tt.header, before)
			}
		})
	}
}

// FuzzResolve checks that resolving any Location never panics and gives a
// URL already in the canonical form that loop detection compares.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"b", "../z", "/final#f", "//other.example/x", "?page=2", "https://Bücher.example:443/ü", "ftp://x", " /a b ", "//\xa4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, loc string) {
		u, err := resolve("http://a.example/x/y?q=1", loc)
		if err != nil {
			return
		}
		again, err := absolute(u.String())
		if err != nil || again.String() != u.String() {
			t.Fatalf("resolve(%q) = %q; canonical again %v, %v", loc, u, again, err)
		}
	})
}
