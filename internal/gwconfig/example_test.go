package gwconfig_test

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
)

// A request through nginx took 75 s to fail: which setting fired, and what
// to write instead.
func ExampleExplain() {
	cfg, err := gwconfig.Load(context.Background(), gwconfig.Sources{Nginx: "testdata/nginx/nginx.conf"})
	if err != nil {
		fmt.Println(err)
		return
	}
	u, _ := url.Parse("http://shop.example/cart")
	route, err := cfg.Route(u)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(route.Location.Name, "->", route.Target)
	for _, f := range gwconfig.Explain(route, gwconfig.Measured{UpstreamTime: 75 * time.Second}) {
		fmt.Printf("%s:%d %s\n%s\n", filepath.Base(f.File), f.Line, f.Cause, f.Fix)
	}
	// Output:
	// location / -> http://app
	// nginx.conf:15 upstream.timeout
	// proxy_read_timeout 90s;
}
