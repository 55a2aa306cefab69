// Package web serves what the watcher knows: a status page (targets by
// group, their state, uptime bars and current incidents), a page per
// incident (its cause first, its timeline, the diagnosis captured at its
// onset), a page per target (phase timings as an SVG chart, recent
// checks), a JSON API under /api/v1/, Prometheus metrics at /metrics, and
// /healthz and /readyz.
//
// Pages are rendered on the server with html/template from embedded files:
// no build step, no scripts, and everything works without JavaScript.
//
// # Access
//
// The server listens on 127.0.0.1:8502 unless told otherwise. There are
// two levels of access. Anyone may see the status page, with the state and
// uptime of the groups configured public. Reading incidents, their
// evidence, checks, metrics and the API needs the read token (as
// "Authorization: Bearer TOKEN", or a cookie set by the login form at
// /login) unless the listener is on loopback and the request names a
// loopback host. Changing anything (POST /api/v1/maintenance, POST
// /api/v1/targets/{id}/check) needs the admin token in the Authorization
// header, on loopback too. Tokens are compared in constant time.
//
// # Storage
//
// The server reads through the [Store] interface with its own plain types,
// and changes state only through the functions of [Options]; it imports no
// storage package.
//
// # Metrics
//
// [Metrics] is a monitor.Sink that keeps the series bounded at any number
// of targets: per target only gwdoctor_up and
// gwdoctor_last_check_duration_seconds; phase-duration histograms by phase
// and group; check counters by result, group and cause; open incidents by
// cause. Causes are the catalog's fixed set of IDs.
package web
