package lab

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// The PHP-FPM program of Debian 12 and the package that installs the
// distribution's default PHP-FPM; lookPHPFPM also finds other versions.
const (
	phpFPMProgram = "php-fpm8.2"
	phpFPMPackage = "php-fpm"
)

// lookPHPFPM finds php-fpm8.2, or else any versioned php-fpm in /usr/sbin.
func lookPHPFPM() (string, error) {
	if p, err := lookProgram(phpFPMProgram, phpFPMPackage); err == nil {
		return p, nil
	}
	if m, _ := filepath.Glob("/usr/sbin/php-fpm*"); len(m) > 0 {
		return m[len(m)-1], nil
	}
	return "", &NotInstalledError{Program: "php-fpm", Package: phpFPMPackage}
}

// PHPOptions configures a PHP-FPM pool as the lab starts it.
type PHPOptions struct {
	// Script is the PHP code every request runs. Default: echo "ok".
	Script string
	// MaxChildren is pm.max_children of a dynamic pool that starts with
	// them all. Default 2.
	MaxChildren int
	// Backlog is listen.backlog. Default 511, PHP-FPM's own default.
	Backlog int
	// TerminateTimeout is request_terminate_timeout; 0 leaves it off, as
	// PHP-FPM does by default.
	TerminateTimeout time.Duration
	// ListenMode is listen.mode, the socket's permissions in octal, such
	// as "0600". Default "0666": every user may connect. The socket
	// belongs to the user that starts PHP-FPM.
	ListenMode string
}

// PHP is a running PHP-FPM pool listening on a unix socket.
type PHP struct {
	*procGateway
	// Socket is the path of the pool's unix socket.
	Socket string
	// Script is the path of the script that every request runs, the
	// SCRIPT_FILENAME to send.
	Script string
}

// StartPHP starts PHP-FPM in the foreground with one pool on
// dir/php-fpm.sock whose every request runs opts.Script from
// dir/www/app.php. Close stops it. A missing PHP-FPM gives a
// *NotInstalledError.
func StartPHP(ctx context.Context, dir string, opts PHPOptions) (*PHP, error) {
	if opts.Script == "" {
		opts.Script = `<?php echo "ok\n";`
	}
	if opts.MaxChildren <= 0 {
		opts.MaxChildren = 2
	}
	if opts.Backlog <= 0 {
		opts.Backlog = 511
	}
	if opts.ListenMode == "" {
		opts.ListenMode = "0666"
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	sock := p("php-fpm.sock")
	pool := "[www]\nlisten = " + sock + "\nlisten.mode = " + opts.ListenMode + "\nlisten.backlog = " + itoa(opts.Backlog) + "\n" +
		"pm = dynamic\npm.max_children = " + itoa(opts.MaxChildren) + "\npm.start_servers = " + itoa(opts.MaxChildren) +
		"\npm.min_spare_servers = 1\npm.max_spare_servers = " + itoa(opts.MaxChildren) + "\n" +
		"catch_workers_output = yes\n"
	if opts.TerminateTimeout > 0 {
		pool += "request_terminate_timeout = " + itoa(seconds(opts.TerminateTimeout)) + "s\n"
	}
	args := []string{"-F", "-y", p("php-fpm.conf"), "-c", p("php.ini")}
	if os.Geteuid() == 0 {
		// PHP-FPM refuses to run its workers as root unless told to.
		pool += "user = root\ngroup = root\n"
		args = append(args, "-R")
	}
	conf := "[global]\npid = " + p("php-fpm.pid") + "\nerror_log = " + p("php-fpm.log") + "\nlog_level = notice\ndaemonize = no\n\n" + pool
	g, err := launchIn(ctx, "php_fpm", dir, func(int) (launch, GatewayTimeouts, error) {
		return launch{
			args:    args,
			socket:  sock,
			files:   map[string]string{"php-fpm.conf": conf, "php.ini": "max_execution_time = 0\n", "www/app.php": opts.Script},
			logPath: p("php-fpm.log"),
		}, GatewayTimeouts{Response: opts.TerminateTimeout}, nil
	})
	if err != nil {
		return nil, err
	}
	return &PHP{procGateway: g, Socket: sock, Script: p("www/app.php")}, nil
}

// nginxFastCGILocation is the body of "location /" that runs every request
// through dir/www/app.php on the PHP-FPM socket sock.
func nginxFastCGILocation(dir, sock string, read time.Duration) string {
	return "            include /etc/nginx/fastcgi_params;\n" +
		"            fastcgi_param SCRIPT_FILENAME " + filepath.Join(dir, "www", "app.php") + ";\n" +
		"            fastcgi_pass unix:" + sock + ";\n" +
		"            fastcgi_connect_timeout 1s;\n" +
		"            fastcgi_read_timeout " + ms(read) + ";\n"
}
