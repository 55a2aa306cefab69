package gwconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the current results")

// goldenCase is one set of fixture configurations, the URLs to route
// through them, and the golden file with the routes and the findings.
type goldenCase struct {
	name string
	src  Sources
	urls []string
}

var goldenCases = []goldenCase{
	{
		name: "nginx",
		src: Sources{Nginx: "testdata/nginx/nginx.conf", PHPFPM: "testdata/php-fpm/php-fpm.conf",
			PHPINI: "testdata/php-fpm/php.ini"},
		urls: []string{
			"http://shop.example/", "http://shop.example/healthz", "http://shop.example/static/app.css",
			"http://shop.example/img/logo.png", "http://shop.example/api/orders", "http://shop.example/api/reports/2024",
			"http://shop.example/legacy/2019/x", "http://shop.example/dyn/x", "http://blog.example/",
			"http://www.blog.example/wp-login.php", "http://acme.example.net:8080/", "http://unknown.example/",
		},
	},
	{
		name: "haproxy",
		src:  Sources{HAProxy: "testdata/haproxy/haproxy.cfg"},
		urls: []string{
			"http://shop.example/", "http://shop.example/api/orders", "http://admin.shop.example/",
			"https://shop.example:8443/site.css", "http://127.0.0.1:8404/stats",
		},
	},
	{
		name: "apache",
		src:  Sources{Apache: "testdata/apache/apache2.conf", PHPFPM: "testdata/php-fpm/php-fpm.conf"},
		urls: []string{
			"http://shop.example/", "http://www.shop.example/api/v1/orders", "http://shop.example/reports/42",
			"http://shop.example/static/app.css", "http://blog.example/index.php", "http://x.blog.example/legacy/a",
			"http://blog.example/legacyx", "http://other.example:8080/",
		},
	},
}

// golden is what a golden file holds.
type golden struct {
	Routes   []*Route
	Findings []Finding
}

// TestGolden routes each case's URLs and lints its configuration, and
// compares both with testdata/golden/NAME.json. Run `go test -update` to
// rewrite them after a deliberate change, and review the diff.
func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(context.Background(), tc.src)
			if err != nil {
				t.Fatal(err)
			}
			var g golden
			for _, u := range tc.urls {
				r, err := c.Route(mustURL(t, u))
				if err != nil {
					t.Fatalf("Route(%s): %v", u, err)
				}
				g.Routes = append(g.Routes, r)
			}
			g.Findings = Check(c)
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs("testdata")
			got = bytes.ReplaceAll(append(got, '\n'), []byte(abs), []byte("testdata"))
			compareGolden(t, filepath.Join("testdata", "golden", tc.name+".json"), got)
		})
	}
}

func compareGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("result differs from %s (run go test -update and review the diff):\n%s", file, firstDiff(string(got), string(want)))
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return "line " + itoa(i+1) + ":\n got: " + g[i] + "\nwant: " + w[i]
		}
	}
	return "lengths differ"
}

func itoa(i int) string { return strconv.Itoa(i) }
