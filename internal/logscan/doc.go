// Package logscan reads gateway logs — nginx, Apache, HAProxy, Envoy, Caddy,
// Traefik, Squid, lighttpd, Varnish (varnishlog), PHP-FPM, AWS ALB and
// Heroku's router — and explains their upstream failures with the cause
// IDs of the project's cause catalog.
//
// Each format has its own file and parser; a file's format is detected from
// its first lines unless forced. Lines as collectors keep them are read
// too: the prefixes of docker logs --timestamps, docker compose, Kubernetes
// CRI files, syslog and the journal, s6-log and heroku logs, and a quoted
// post's "> ", are stripped from each line (wrap.go), and a container's
// output that mixes an access log and an error log is read with both
// formats. Scanning streams: a file is cut into large
// chunks at line boundaries and the chunks are parsed by parallel workers,
// with byte scans rather than regular expressions on the hot path. Only
// failure lines become entries; the rest are counted. The report keeps
// aggregate counts and a few example lines per cause, so memory stays bounded
// however large the input is.
//
// Access-log and error-log lines of the same request are joined when both
// logs are read, so the access line gets the exact cause of the error line.
package logscan
