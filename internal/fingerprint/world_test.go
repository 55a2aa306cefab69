package fingerprint

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// A world fixture is an error response that someone published (a GitHub
// issue, a vendor's documentation), stored as the source shows it: a raw
// response, headers alone, a body alone, or the visible text alone. Its
// head names the source and what it shows, and the status when the source
// states it elsewhere; a line "---" ends the head.
const worldGlob = "testdata/world/*/*.txt"

// worldFixture is a parsed world fixture.
type worldFixture struct {
	name   string // "<product dir>/<file name>"
	source string
	shows  string // response, headers, body or text
	status int    // stated by the source beside what it shows; 0 if not
	want   worldWant
	data   []byte
}

func loadWorld(tb testing.TB) []worldFixture {
	tb.Helper()
	paths, err := filepath.Glob(worldGlob)
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures match %s (%v)", worldGlob, err)
	}
	var out []worldFixture
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		fx, err := parseWorld(raw)
		if err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		fx.name = filepath.Base(filepath.Dir(p)) + "/" + strings.TrimSuffix(filepath.Base(p), ".txt")
		out = append(out, fx)
	}
	return out
}

func parseWorld(raw []byte) (worldFixture, error) {
	head, data, ok := bytes.Cut(raw, []byte("\n---\n"))
	if !ok {
		return worldFixture{}, fmt.Errorf(`no "---" line ends the head`)
	}
	fx := worldFixture{data: data}
	for _, line := range strings.Split(string(head), "\n") {
		key, value, _ := strings.Cut(line, ": ")
		switch key {
		case "source":
			fx.source = value
		case "shows":
			fx.shows = value
		case "want":
			f := strings.Fields(value)
			if len(f) != 3 {
				return fx, fmt.Errorf("want %q: want PRODUCT ROLE CAUSE (- for none)", value)
			}
			fx.want = worldWant{f[0], f[1], catalog.Cause(strings.TrimPrefix(f[2], "-"))}
		case "status":
			s, err := strconv.Atoi(value)
			if err != nil {
				return fx, fmt.Errorf("status: %w", err)
			}
			fx.status = s
		default:
			return fx, fmt.Errorf("unknown head line %q", line)
		}
	}
	if !strings.HasPrefix(fx.source, "https://") {
		return fx, fmt.Errorf("source %q is not a public address", fx.source)
	}
	switch fx.shows {
	case "response", "headers", "body", "text":
	default:
		return fx, fmt.Errorf("shows %q", fx.shows)
	}
	return fx, nil
}

// response is what a probe would have seen, as far as the source shows it:
// the paste read by ReadPaste, with the status that the source states
// beside it when the paste has none of its own.
func (fx worldFixture) response() Response {
	p := ReadPaste(fx.data)
	if fx.status != 0 && p.StatusFrom != StatusFromLine {
		p.Response.Status = fx.status
	}
	return p.Response
}

// worldWant is what a world fixture shows. A product or role may list
// alternatives with "|" where the page is one that several products send
// alike (IIS's 502 page on IIS and on App Service's front ends). A cause of
// "" means the page does not tell one.
type worldWant struct {
	product, role string
	cause         catalog.Cause
}

func (w worldWant) accepts(field, got string) bool {
	return got == field || (strings.Contains(field, "|") && strings.Contains("|"+field+"|", "|"+got+"|"))
}

// worldOpen names the fixtures not yet read as they should be, and why;
// TestWorld logs them instead of failing, and fails when one is read
// right, so that it leaves this list.
var worldOpen = map[string]string{
	"application/ynm3k-readme-502-test-app-curl-text":            "a test application's own 502 under its own Server name: nothing in the response says it is the application's rather than an unknown proxy's",
	"lighttpd/pi-hole-5131-503-misspelled-title-text":            "lighttpd's \"503 Service Not Available\" as the reporter retyped it, misspelled",
	"tengine/tengine-1096-chinese-info-block-text":               "only the URL, Server and Date lines of Tengine's Chinese error page, retyped: no marker of the page itself",
	"traefik/calegix-404-bad-gateway-errors-middleware-response": "Traefik's errors middleware answering 404 with the words \"Bad Gateway\" when its error page cannot be fetched: a 404 with a short text body reads as the application's",
	"aws_elb/rapidapi-6477-504-gateway-timeout-unirest-text":     "a PHP var_export of the client's response, whose status line sits inside curly quotes: no reader takes the status from it",
	"go/tailscale-docker-guide-26-502-chrome-text":               "a browser's own page for an empty 502: nothing in it names the proxy, so it stays unknown",
	"squid/pastebin-pj1ncprz-grpc-connect-fail-113-text":         "Squid's response escaped twice inside a gRPC error string and cut into lines by the copy: X-Squid-Error is not read from it",
	"unknown/gist-lloyd-persona-lb-500-no-servers-text":          "a custom 500 page that calls itself a load balancer's: a 500 with an HTML body that no product writes is read as the application's",
	"unknown/mitmproxy-3569-502-server-disconnected-body":        "mitmproxy is no product of the catalog, and the sentence that tells the cause (\"HttpReadDisconnect('Server disconnected')\") is its own",
}

// TestWorld identifies each published response and logs how many it got
// right: the product, the role and the cause.
func TestWorld(t *testing.T) {
	fixtures := loadWorld(t)
	var product, role, cause int
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			w := fx.want
			if w.product == "" {
				t.Fatalf("%s has no want: line", fx.name)
			}
			got := Identify(fx.response())
			checkResult(t, got)
			g := got.Generator
			okProduct, okRole, okCause := w.accepts(w.product, g.Product), w.accepts(w.role, g.Role), got.Reading.Cause == w.cause
			product, role, cause = product+b2i(okProduct), role+b2i(okRole), cause+b2i(okCause)
			miss := t.Errorf
			if why, open := worldOpen[fx.name]; open {
				if okProduct && okRole && okCause {
					t.Errorf("read right now: drop it from worldOpen")
				}
				miss = func(f string, args ...any) { t.Logf("open (%s): "+f, append([]any{why}, args...)...) }
			}
			if !okProduct || !okRole || !okCause {
				miss("Identify = %s/%s cause %q (%s, %s; %s), want %s/%s cause %q",
					g.Product, g.Role, got.Reading.Cause, g.Signature, got.Evidence, got.Reading.Detail, w.product, w.role, w.cause)
			}
		})
	}
	t.Logf("world corpus: product %d, role %d, cause %d right out of %d", product, role, cause, len(fixtures))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
