package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
)

// nginxPageSize is nginx's default proxy_buffer_size on amd64: one memory
// page (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffer_size).
const nginxPageSize = 4096

// nginxAccessFormat adds the upstream's status, address and time and the
// request ID to the combined format, as operators commonly do.
const nginxAccessFormat = `'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" us=$upstream_status ua=$upstream_addr urt=$upstream_response_time rt=$request_time rid=$http_x_request_id'`

// buildNginx writes a production-like nginx.conf: one server proxying
// everything to t, with short timeouts and otherwise nginx's defaults.
func buildNginx(t target, dir string, port int, opts GatewayOptions) (launch, GatewayTimeouts, error) {
	loc := nginxProxyLocation(t, opts)
	conf := nginxConf(dir, port, "", "", loc)
	return nginxLaunch(dir, conf), GatewayTimeouts{
		Connect: opts.Connect, Response: opts.Response, MaxHeaderBytes: nginxPageSize,
		ConnectSetting: "proxy_connect_timeout", ResponseSetting: "proxy_read_timeout", HeaderSetting: "proxy_buffer_size",
	}, nil
}

// nginxProxyLocation is the body of "location /" that proxies to t.
func nginxProxyLocation(t target, opts GatewayOptions) string {
	var b strings.Builder
	b.WriteString("            proxy_pass " + t.url() + ";\n")
	b.WriteString("            proxy_connect_timeout " + ms(opts.Connect) + ";\n")
	b.WriteString("            proxy_read_timeout " + ms(opts.Response) + ";\n")
	b.WriteString("            proxy_send_timeout " + ms(opts.Response) + ";\n")
	b.WriteString("            proxy_set_header Host $host;\n")
	b.WriteString("            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n")
	b.WriteString("            proxy_set_header X-Forwarded-Proto $scheme;\n")
	if t.tls {
		b.WriteString("            proxy_ssl_verify on;\n")
		b.WriteString("            proxy_ssl_trusted_certificate " + SystemRoots + ";\n")
		b.WriteString("            proxy_ssl_server_name on;\n")
	}
	return b.String()
}

// nginxConf is a whole nginx.conf with one server on port whose
// "location /" holds loc; extra goes into the http block and server into
// the server block.
func nginxConf(dir string, port int, extra, server, loc string) string {
	user := ""
	if os.Geteuid() == 0 {
		// Workers would run as nobody and could not read the lab's
		// private directory.
		user = "user root root;\n"
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	return user + `worker_processes 1;
daemon off;
pid ` + p("nginx.pid") + `;
error_log ` + p("error.log") + ` warn;

events {
    worker_connections 512;
}

http {
    log_format lab ` + nginxAccessFormat + `;
    access_log ` + p("access.log") + ` lab;
    client_body_temp_path ` + p("tmp/body") + `;
    proxy_temp_path ` + p("tmp/proxy") + `;
    fastcgi_temp_path ` + p("tmp/fastcgi") + `;
    uwsgi_temp_path ` + p("tmp/uwsgi") + `;
    scgi_temp_path ` + p("tmp/scgi") + `;
    sendfile on;
    keepalive_timeout 65;
` + extra + `
    server {
        listen 127.0.0.1:` + itoa(port) + `;
        server_name lab.test;
` + server + `
        location / {
` + loc + `        }
    }
}
`
}

// nginxLaunch runs nginx in the foreground with conf, logging start-up
// errors into the lab directory rather than /var/log/nginx.
func nginxLaunch(dir, conf string) launch {
	return launch{
		args:    []string{"-p", dir + "/", "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log")},
		files:   map[string]string{"nginx.conf": conf, "tmp/.keep": ""},
		logPath: filepath.Join(dir, "error.log"),
	}
}

// startNginx starts nginx in dir with the configuration that conf returns
// for its port.
func startNginx(ctx context.Context, dir string, t GatewayTimeouts, conf func(port int) string) (*procGateway, error) {
	return launchIn(ctx, "nginx", dir, func(port int) (launch, GatewayTimeouts, error) {
		return nginxLaunch(dir, conf(port)), t, nil
	})
}
