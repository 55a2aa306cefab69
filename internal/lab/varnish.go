package lab

import (
	"errors"
	"path/filepath"
	"strconv"
)

// varnishHeaderBytes is Varnish's default http_resp_size, the most a
// backend's response head may take
// (https://varnish-cache.org/docs/7.1/reference/varnishd.html#http-resp-size).
const varnishHeaderBytes = 32 << 10

// errNoBackendTLS is returned for products that cannot speak TLS to their
// backends at all.
var errNoBackendTLS = errors.New("this product cannot connect to a backend over TLS")

// buildVarnish writes a default.vcl with one backend t and the timeouts of
// opts, and runs varnishd in the foreground with a small malloc storage.
func buildVarnish(t target, dir string, port int, opts GatewayOptions) (launch, GatewayTimeouts, error) {
	p := func(name string) string { return filepath.Join(dir, name) }
	vcl := `vcl 4.1;

backend app {
    .host = "` + t.host + `";
    .port = "` + strconv.Itoa(t.port) + `";
    .connect_timeout = ` + ms(opts.Connect) + `;
    .first_byte_timeout = ` + ms(opts.Response) + `;
    .between_bytes_timeout = ` + ms(opts.Response) + `;
}

sub vcl_recv {
    set req.backend_hint = app;
}
`
	return launch{
			args: []string{"-F", "-n", p("varnish"), "-a", "127.0.0.1:" + itoa(port), "-f", p("default.vcl"),
				"-s", "malloc,32m", "-T", "none", "-p", "vsl_space=1m"},
			files: map[string]string{"default.vcl": vcl},
		}, GatewayTimeouts{
			Connect: opts.Connect, Response: opts.Response, MaxHeaderBytes: varnishHeaderBytes,
			ConnectSetting: ".connect_timeout", ResponseSetting: ".first_byte_timeout", HeaderSetting: "http_resp_size",
		}, nil
}
