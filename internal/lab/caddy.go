package lab

import "path/filepath"

// buildCaddy writes a production-like Caddyfile: a plain-HTTP site on the
// port with reverse_proxy to t, short transport timeouts and no admin API
// or automatic HTTPS, which would need the network.
func buildCaddy(t target, dir string, port int, opts GatewayOptions) (launch, GatewayTimeouts, error) {
	p := func(name string) string { return filepath.Join(dir, name) }
	upstream := t.addr()
	if t.tls {
		upstream = t.url()
	}
	conf := `{
	admin off
	auto_https off
	storage file_system ` + p("data") + `
	log {
		output file ` + p("error.log") + `
		format json
	}
}

http://:` + itoa(port) + ` {
	bind 127.0.0.1
	log {
		output file ` + p("access.log") + `
		format json
	}
	reverse_proxy ` + upstream + ` {
		transport http {
			dial_timeout ` + ms(opts.Connect) + `
			response_header_timeout ` + ms(opts.Response) + `
		}
	}
}
`
	return launch{
			args:    []string{"run", "--config", p("Caddyfile"), "--adapter", "caddyfile"},
			env:     []string{"XDG_DATA_HOME=" + p("data"), "XDG_CONFIG_HOME=" + p("config")},
			files:   map[string]string{"Caddyfile": conf, "data/.keep": "", "config/.keep": ""},
			logPath: p("error.log"),
		}, GatewayTimeouts{
			Connect: opts.Connect, Response: opts.Response, MaxHeaderBytes: DefaultMaxHeaderBytes,
			ConnectSetting: "dial_timeout", ResponseSetting: "response_header_timeout", HeaderSetting: "max_response_header",
		}, nil
}
