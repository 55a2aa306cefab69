package gwconfig

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// addSeeds adds the fixture files as fuzz seeds.
func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// addWorldSeeds adds the published configurations of testdata/world/dir.
func addWorldSeeds(f *testing.F, dir string) {
	files, err := filepath.Glob(filepath.Join("testdata/world", dir, "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/world/%s: %v", dir, err)
	}
	addSeeds(f, files...)
}

var fuzzURLs = []string{"http://shop.example/api/x", "http://a.example:8080/", "https://b.example/x.php"}

// routeAll routes a few URLs; errors are expected, panics are not.
func routeAll(route func(*url.URL) (*Route, error)) {
	for _, s := range fuzzURLs {
		u, _ := url.Parse(s)
		if r, err := route(u); err == nil {
			Explain(r, Measured{UpstreamTime: 1e12, HeaderBytes: 1 << 20, UpstreamKeepAlive: 1e9})
		}
	}
}

func FuzzNginx(f *testing.F) {
	addSeeds(f, "testdata/nginx/nginx.conf", "testdata/nginx/sites-enabled/shop.example.conf",
		"testdata/nginx/sites-enabled/blog.example.conf", "testdata/nginx/conf.d/upstreams.conf")
	f.Add([]byte(`http { server { location ~ "a{" { proxy_pass http://$x; } } }`))
	f.Add([]byte("server { access_by_lua_block { s = [==[ } ]==] -- }\n } location / { proxy_pass http://u; } }"))
	addWorldSeeds(f, "nginx")
	f.Fuzz(func(t *testing.T, data []byte) {
		// The file includes itself through the glob: cycles must be caught.
		src := memSource{"/f/nginx.conf": data, "/f/a.conf": data}
		n, err := parseNginx(src, "/f/nginx.conf")
		if err != nil {
			return
		}
		routeAll(n.Route)
		Check(&Config{Nginx: n})
	})
}

func FuzzHAProxy(f *testing.F) {
	addSeeds(f, "testdata/haproxy/haproxy.cfg")
	addWorldSeeds(f, "haproxy")
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := parseHAProxy("/f/haproxy.cfg", data)
		if err != nil {
			return
		}
		routeAll(h.Route)
		Check(&Config{HAProxy: h})
	})
}

func FuzzApache(f *testing.F) {
	addSeeds(f, "testdata/apache/apache2.conf", "testdata/apache/sites-enabled/shop.example.conf",
		"testdata/apache/sites-enabled/blog.example.conf")
	addWorldSeeds(f, "apache")
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := parseApache(memSource{"/f/apache2.conf": data, "/f/a.conf": data}, "/f/apache2.conf")
		if err != nil {
			return
		}
		routeAll(a.Route)
		Check(&Config{Apache: a})
	})
}

func FuzzPHPFPM(f *testing.F) {
	addSeeds(f, "testdata/php-fpm/php-fpm.conf", "testdata/php-fpm/pool.d/www.conf", "testdata/php-fpm/php.ini")
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &PHPFPM{}
		if err := c.readFPM(memSource{"/f/php-fpm.conf": data, "/f/a.conf": data}, "/f/php-fpm.conf"); err != nil {
			return
		}
		Check(&Config{PHPFPM: c})
	})
}
