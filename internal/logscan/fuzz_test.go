package logscan

import (
	"testing"
	"unicode/utf8"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
)

// fuzzParser checks that a parser never panics, and that what it calls a
// failure is a well-formed entry.
func fuzzParser(f *testing.F, format string) {
	f.Add(formatSamples[format])
	f.Add("")
	f.Add("\x00\xff[\"")
	f.Add("http 0000-01-01T0:00:00Z       502") // an ALB line with empty fields
	for _, s := range formatSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		p := newParser(t, format, line)
		var e Entry
		v := p.parse([]byte(line), &e)
		if v != lineFailure {
			return
		}
		if !e.Cause.Known() || e.Cause == catalog.OK {
			t.Errorf("cause %q is not a failure cause of the catalog", e.Cause)
		}
		if len(e.Raw) > MaxRawLen || e.Format != format {
			t.Errorf("raw %d bytes, format %q", len(e.Raw), e.Format)
		}
		_ = utf8.ValidString(e.Detail)
	})
}

func FuzzNginxError(f *testing.F) { fuzzParser(f, "nginx-error") }

func FuzzNginxAccess(f *testing.F) { fuzzParser(f, "nginx-access") }

func FuzzApacheError(f *testing.F) { fuzzParser(f, "apache-error") }

func FuzzApacheAccess(f *testing.F) { fuzzParser(f, "apache-access") }

func FuzzHAProxy(f *testing.F) { fuzzParser(f, "haproxy") }

func FuzzEnvoy(f *testing.F) { fuzzParser(f, "envoy") }

func FuzzCaddy(f *testing.F) { fuzzParser(f, "caddy") }

func FuzzTraefik(f *testing.F) { fuzzParser(f, "traefik") }

func FuzzPHPFPM(f *testing.F) { fuzzParser(f, "php-fpm") }

func FuzzSquid(f *testing.F) { fuzzParser(f, "squid") }

func FuzzSquidCache(f *testing.F) { fuzzParser(f, "squid-cache") }

func FuzzLighttpd(f *testing.F) { fuzzParser(f, "lighttpd") }

func FuzzALB(f *testing.F) { fuzzParser(f, "alb") }

func FuzzIIS(f *testing.F) { fuzzParser(f, "iis") }
