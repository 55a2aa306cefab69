package lab

import (
	"path/filepath"
	"strconv"
)

// lighttpdHeaderBytes is the most lighttpd's mod_proxy reads of a backend's
// response head (64 KiB in lighttpd 1.4.69's http_response_parse_headers).
const lighttpdHeaderBytes = 64 << 10

// buildLighttpd writes a lighttpd.conf with mod_proxy forwarding every
// request to t with short timeouts.
func buildLighttpd(t target, dir string, port int, opts GatewayOptions) (launch, GatewayTimeouts, error) {
	p := func(name string) string { return filepath.Join(dir, name) }
	conf := `server.modules = ("mod_proxy", "mod_accesslog")
server.bind = "127.0.0.1"
server.port = ` + itoa(port) + `
server.document-root = "` + p("www") + `"
server.errorlog = "` + p("error.log") + `"
server.pid-file = "` + p("lighttpd.pid") + `"
server.tag = "lighttpd/1.4"
accesslog.filename = "` + p("access.log") + `"
proxy.server = ("" => ((
    "host" => "` + t.host + `",
    "port" => ` + strconv.Itoa(t.port) + `,
    "connect-timeout" => ` + itoa(seconds(opts.Connect)) + `,
    "read-timeout" => ` + itoa(seconds(opts.Response)) + `
)))
`
	return launch{
			args:    []string{"-D", "-f", p("lighttpd.conf")},
			files:   map[string]string{"lighttpd.conf": conf, "www/.keep": ""},
			logPath: p("error.log"),
		}, GatewayTimeouts{
			Connect: opts.Connect, Response: opts.Response, MaxHeaderBytes: lighttpdHeaderBytes,
			ConnectSetting: "connect-timeout", ResponseSetting: "read-timeout", HeaderSetting: "",
		}, nil
}
