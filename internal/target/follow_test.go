package target

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// wantLoop is what a test expects of Chain.Loop.
type wantLoop struct {
	kind    LoopKind
	start   int
	cycle   []string // short names
	cookies []string
	without int // requests made again without cookies
}

// followCase is one chain: where it starts and what it should be.
type followCase struct {
	name     string
	start    string // short name
	max      int    // FollowOptions.MaxRedirects
	want     []string
	end      End
	loop     *wantLoop
	wantNote string // part of Chain.Note
}

// count makes the hops "GET A<prefix>/<i> <status>" for i from..to.
func count(prefix string, from, to, status int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("GET A%s/%d %d", prefix, i, status))
	}
	return out
}

func TestFollow(t *testing.T) {
	st := newSite(t)
	st.run(t, []followCase{
		{name: "relative", start: "A/rel/a", want: []string{"GET A/rel/a 302", "GET A/rel/b 200"}, end: EndFinal},
		{name: "dot segments", start: "A/dots/x/y", want: []string{"GET A/dots/x/y 302", "GET A/dots/z 200"}, end: EndFinal},
		{name: "absolute path", start: "A/abs", want: []string{"GET A/abs 302", "GET A/final 200"}, end: EndFinal},
		{name: "scheme-relative to another host", start: "A/scheme-rel", want: []string{"GET A/scheme-rel 302", "GET B/landing 200"}, end: EndFinal},
		{name: "absolute to another host", start: "A/abs-url", want: []string{"GET A/abs-url 302", "GET B/landing 200"}, end: EndFinal},
		{name: "http to https", start: "A/to-https", want: []string{"GET A/to-https 302", "GET S/final 200"}, end: EndFinal},
		{name: "query only", start: "A/query", want: []string{"GET A/query 302", "GET A/query?page=2 200"}, end: EndFinal},
		{name: "fragment dropped", start: "A/frag", want: []string{"GET A/frag 302", "GET A/final 200"}, end: EndFinal},
		{name: "Location with spaces around", start: "A/space", want: []string{"GET A/space 302", "GET A/final 200"}, end: EndFinal},
		{name: "20 redirects arrive", start: "A/twenty/0", want: append(count("/twenty", 0, 19, 302), "GET A/twenty/20 200"), end: EndFinal},
		{name: "cookie check: same URL, new cookie, no loop", start: "A/cc", want: []string{"GET A/cc 302", "GET A/cc 200"}, end: EndFinal},
		{name: "no Location", start: "A/noloc", want: []string{"GET A/noloc 302"}, end: EndNoLocation, wantNote: "has no Location header"},
		{name: "Location of another scheme", start: "A/badloc", want: []string{"GET A/badloc 302"}, end: EndNoLocation, wantNote: `unusable Location "ftp://x/"`},
		{name: "Location with a bad host", start: "A/badhost", want: []string{"GET A/badhost 302"}, end: EndNoLocation, wantNote: "empty label"},
		{name: "5xx ends the chain", start: "A/to502", want: []string{"GET A/to502 302", "GET A/502 502"}, end: EndFailed},
		{name: "no response ends the chain", start: "A/to-closed", want: []string{"GET A/to-closed 302", "GET http://" + st.closed + "/ 0"}, end: EndFailed},
		{name: "4xx is final", start: "A/404", want: []string{"GET A/404 404"}, end: EndFinal},
		{name: "300 is not followed", start: "A/300", want: []string{"GET A/300 300"}, end: EndFinal},
	})
}

func TestFollowLoops(t *testing.T) {
	st := newSite(t)
	st.run(t, []followCase{
		{name: "21 redirects are too many", start: "A/count/0", want: count("/count", 0, 20, 302), end: EndTooMany,
			loop: &wantLoop{kind: LoopEndless}, wantNote: "more than 20 redirects"},
		{name: "a lower limit", start: "A/count/0", max: 3, want: count("/count", 0, 3, 302), end: EndTooMany,
			loop: &wantLoop{kind: LoopEndless}, wantNote: "more than 3 redirects"},
		{name: "loop of 2", start: "A/loop2/a", want: []string{"GET A/loop2/a 302", "GET A/loop2/b 302"}, end: EndLoop,
			loop: &wantLoop{kind: LoopOther, cycle: []string{"A/loop2/a", "A/loop2/b"}}},
		{name: "loop entered after a hop", start: "A/into", want: []string{"GET A/into 302", "GET A/loop2/a 302", "GET A/loop2/b 302"}, end: EndLoop,
			loop: &wantLoop{kind: LoopOther, start: 1, cycle: []string{"A/loop2/a", "A/loop2/b"}}},
		{name: "loop of 3", start: "A/loop3/a", want: []string{"GET A/loop3/a 302", "GET A/loop3/b 302", "GET A/loop3/c 302"}, end: EndLoop,
			loop: &wantLoop{kind: LoopOther, cycle: []string{"A/loop3/a", "A/loop3/b", "A/loop3/c"}}},
		{name: "https to itself", start: "S/self", want: []string{"GET S/self 302"}, end: EndLoop,
			loop: &wantLoop{kind: LoopScheme, cycle: []string{"S/self"}}},
		{name: "http and https alternate", start: "P/flip", want: []string{"GET P/flip 301", "GET S/flip 301"}, end: EndLoop,
			loop: &wantLoop{kind: LoopScheme, cycle: []string{"P/flip", "S/flip"}}},
		{name: "host and www alternate", start: "P/www", want: []string{"GET P/www 301", "GET W/www 301"}, end: EndLoop,
			loop: &wantLoop{kind: LoopWWW, cycle: []string{"P/www", "W/www"}}},
		{name: "loop only with the cookie", start: "A/ck/start", want: []string{"GET A/ck/start 302", "GET A/ck/a 302", "GET A/ck/b 302"}, end: EndLoop,
			loop: &wantLoop{kind: LoopCookie, start: 1, cycle: []string{"A/ck/a", "A/ck/b"}, cookies: []string{"s"}, without: 1}},
		{name: "loop with a cookie that does not matter", start: "A/ckx/start", want: []string{"GET A/ckx/start 302", "GET A/ckx/a 302", "GET A/ckx/b 302"}, end: EndLoop,
			loop: &wantLoop{kind: LoopOther, start: 1, cycle: []string{"A/ckx/a", "A/ckx/b"}, without: 2}},
	})
}

// run follows each case's chain and checks it.
func (st *site) run(t *testing.T, tests []followCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := st.options()
			opts.MaxRedirects = tt.max
			ch, err := Follow(context.Background(), st.long(tt.start), opts)
			if err != nil {
				t.Fatalf("Follow: %v", err)
			}
			if got := st.hops(ch); !slices.Equal(got, tt.want) {
				t.Errorf("hops = %q;\nwant %q", got, tt.want)
			}
			last := ch.Hops[len(ch.Hops)-1]
			if ch.End != tt.end || ch.Final != last.URL {
				t.Errorf("end, final = %s, %s; want %s, %s", ch.End, ch.Final, tt.end, last.URL)
			}
			if !strings.Contains(ch.Note, tt.wantNote) || (tt.wantNote == "") != (ch.Note == "") {
				t.Errorf("note = %q; want %q", ch.Note, tt.wantNote)
			}
			st.checkLoop(t, ch.Loop, tt.loop)
			checkHops(t, ch)
		})
	}
}

// long turns a short name ("A/x") into a URL.
func (st *site) long(short string) string {
	for _, p := range [][2]string{
		{"A", "http://a.test:" + st.a}, {"B", "http://b.test:" + st.b}, {"P", "http://site.test:" + st.a},
		{"W", "http://www.site.test:" + st.a}, {"S", "https://site.test:" + st.s},
	} {
		if rest, ok := strings.CutPrefix(short, p[0]); ok {
			return p[1] + rest
		}
	}
	return short
}

func (st *site) checkLoop(t *testing.T, got *Loop, want *wantLoop) {
	t.Helper()
	if (got == nil) != (want == nil) {
		t.Fatalf("loop = %+v; want %+v", got, want)
	}
	if got == nil {
		return
	}
	var cycle []string
	for _, u := range got.Cycle {
		cycle = append(cycle, st.short.Replace(u))
	}
	if got.Kind != want.kind || got.Start != want.start || !slices.Equal(cycle, want.cycle) {
		t.Errorf("loop kind, start, cycle = %s, %d, %q; want %s, %d, %q", got.Kind, got.Start, cycle, want.kind, want.start, want.cycle)
	}
	if !slices.Equal(got.Cookies, want.cookies) || len(got.Without) != want.without {
		t.Errorf("loop cookies, asked without = %q, %d; want %q, %d", got.Cookies, len(got.Without), want.cookies, want.without)
	}
}

// checkHops checks what every hop must have: a result, a time, a scheme
// and host that match its URL, and a Next exactly when the chain goes on.
func checkHops(t *testing.T, ch Chain) {
	t.Helper()
	for i, h := range ch.Hops {
		if h.Result == nil || h.At.IsZero() || (i > 0 && h.At.Before(ch.Hops[i-1].At)) {
			t.Errorf("hop %d: result %v, at %v; want a result and a time after the last hop's", i, h.Result, h.At)
		}
		if !strings.HasPrefix(h.URL, h.Scheme+"://"+h.Host) {
			t.Errorf("hop %d: scheme, host = %s, %s; want those of %s", i, h.Scheme, h.Host, h.URL)
		}
		goesOn := i < len(ch.Hops)-1 || ch.End == EndLoop || ch.End == EndTooMany
		if (h.Next != "") != goesOn {
			t.Errorf("hop %d: next = %q; want one: %v", i, h.Next, goesOn)
		}
	}
}

func TestFollowMethods(t *testing.T) {
	st := newSite(t)
	tests := []struct {
		method string
		status int
		want   string
	}{
		{"GET", 301, "GET"}, {"POST", 301, "GET"}, {"PUT", 301, "PUT"}, {"HEAD", 301, "HEAD"},
		{"POST", 302, "GET"}, {"DELETE", 302, "DELETE"},
		{"POST", 303, "GET"}, {"PUT", 303, "GET"}, {"HEAD", 303, "HEAD"}, {"GET", 303, "GET"},
		{"POST", 307, "POST"}, {"PUT", 307, "PUT"},
		{"POST", 308, "POST"}, {"GET", 308, "GET"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %d", tt.method, tt.status), func(t *testing.T) {
			opts := st.options()
			opts.Method = tt.method
			ch, err := Follow(context.Background(), st.long(fmt.Sprintf("A/m/%d", tt.status)), opts)
			if err != nil {
				t.Fatalf("Follow: %v", err)
			}
			want := []string{fmt.Sprintf("%s A/m/%d %d", tt.method, tt.status, tt.status), tt.want + " A/echo 200"}
			if got := st.hops(ch); !slices.Equal(got, want) {
				t.Errorf("hops = %q; want %q", got, want)
			}
		})
	}
}

func TestFollowCookies(t *testing.T) {
	st := newSite(t)
	ch, err := Follow(context.Background(), st.long("A/setc"), st.options())
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	var got []string
	for _, h := range ch.Hops {
		got = append(got, fmt.Sprintf("%s sent %q set %q", st.short.Replace(h.URL), h.Cookies, h.SetCookies))
	}
	want := []string{`A/setc sent [] set ["x"]`, `B/seec sent [] set []`}
	if !slices.Equal(got, want) {
		t.Errorf("cookies = %q; want %q (none carried to another host)", got, want)
	}
}

func TestFollowErrors(t *testing.T) {
	for _, in := range []string{"/relative", "ftp://x/", "http:///x", "http://a..b/", "%zz"} {
		if _, err := Follow(context.Background(), in, FollowOptions{}); err == nil {
			t.Errorf("Follow(%q): no error; want one", in)
		}
	}
	st := newSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ch, err := Follow(ctx, st.long("A/loop2/a"), st.options())
	if err == nil || !strings.Contains(err.Error(), "context canceled") || ch.End != EndFailed {
		t.Errorf("canceled: end %s, error %v; want failed, context canceled", ch.End, err)
	}
}
