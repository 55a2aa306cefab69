package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
)

// apacheModules is where Debian's apache2 package keeps its modules.
const apacheModules = "/usr/lib/apache2/modules"

// apacheMaxHeader is the longest response header line mod_proxy_http
// accepts: its buffer is ProxyIOBufferSize-independent and bounded by
// LimitRequestFieldSize (8190 bytes by default).
const apacheMaxHeader = 8190

// buildApache writes a production-like apache2.conf: the event MPM,
// mod_proxy_http forwarding everything to t with ProxyPass, short timeouts
// and Apache's defaults otherwise.
func buildApache(t target, dir string, port int, opts GatewayOptions) (launch, GatewayTimeouts, error) {
	pass := "ProxyPass / " + t.url() + "/ connectiontimeout=" + itoa(seconds(opts.Connect)) + " timeout=" + itoa(seconds(opts.Response)) + "\n" +
		"ProxyPassReverse / " + t.url() + "/\n"
	if t.tls {
		pass = "SSLProxyEngine on\nSSLProxyVerify require\nSSLProxyCheckPeerName on\nSSLProxyCACertificateFile " + SystemRoots + "\n" + pass
	}
	conf := apacheConf(dir, port, pass)
	return apacheLaunch(dir, conf), GatewayTimeouts{
		Connect: opts.Connect, Response: opts.Response, MaxHeaderBytes: apacheMaxHeader,
		ConnectSetting: "ProxyPass connectiontimeout=", ResponseSetting: "ProxyPass timeout=", HeaderSetting: "LimitRequestFieldSize",
	}, nil
}

// apacheConf is a whole apache2.conf for ServerRoot dir, listening on port,
// with body inside the main server and the extra modules loaded.
func apacheConf(dir string, port int, body string, extra ...string) string {
	var mods strings.Builder
	for _, m := range append([]string{"mpm_event", "authz_core", "dir", "proxy", "proxy_http", "proxy_fcgi", "ssl", "socache_shmcb"}, extra...) {
		mods.WriteString("LoadModule " + m + "_module " + apacheModules + "/mod_" + m + ".so\n")
	}
	user := ""
	if os.Geteuid() == 0 {
		// Apache refuses to serve as root; its children run as nobody.
		user = "User nobody\nGroup nogroup\n"
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	return "ServerRoot " + dir + "\n" + mods.String() + user + `ServerName lab.test
Listen 127.0.0.1:` + itoa(port) + `
PidFile ` + p("apache.pid") + `
DefaultRuntimeDir ` + p("run") + `
Mutex file:` + p("run") + ` default
ErrorLog ` + p("error.log") + `
LogLevel warn
LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" %D" lab
CustomLog ` + p("access.log") + ` lab
Timeout 60
KeepAlive On
KeepAliveTimeout 5
ServerTokens Full
ServerSignature On
` + body
}

// apacheLaunch runs apache2 in the foreground with conf.
func apacheLaunch(dir, conf string) launch {
	return launch{
		args:    []string{"-d", dir, "-f", filepath.Join(dir, "apache2.conf"), "-DFOREGROUND"},
		files:   map[string]string{"apache2.conf": conf, "run/.keep": ""},
		logPath: filepath.Join(dir, "error.log"),
	}
}

// startApache starts apache2 in dir with body inside its main server and
// the extra modules loaded.
func startApache(ctx context.Context, dir string, t GatewayTimeouts, body string, extra ...string) (*procGateway, error) {
	return launchIn(ctx, "apache", dir, func(port int) (launch, GatewayTimeouts, error) {
		return apacheLaunch(dir, apacheConf(dir, port, body, extra...)), t, nil
	})
}
