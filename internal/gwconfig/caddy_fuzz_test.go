package gwconfig

import "testing"

func FuzzCaddyfile(f *testing.F) {
	for _, text := range caddyRouteFiles {
		f.Add([]byte(text))
	}
	f.Add([]byte("(s) {\n\timport s {args[0]}\n}\n:80 {\n\timport s x\n\trespond <<EOF\n\ty\n\tEOF 200\n}\n"))
	f.Add([]byte("a, \\\nb {\n\t@m `x` \"y\n}"))
	f.Add([]byte(`{"apps":{"http":{"servers":{"s":{"listen":[":80"],"routes":[{"handle":[{"handler":"reverse_proxy","upstreams":[{"dial":"a:1"}]}]}]}}}}}`))
	addWorldSeeds(f, "caddy")
	f.Fuzz(func(t *testing.T, data []byte) {
		// The file imports itself through the glob: cycles must be caught.
		src := memSource{"/f/Caddyfile": data, "/f/a.caddy": data}
		c, err := parseCaddy(src, "/f/Caddyfile")
		if err != nil {
			return
		}
		routeAll(c.Route)
		Check(&Config{Caddy: c})
	})
}
