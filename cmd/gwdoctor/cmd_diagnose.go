package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwdoctor/gwdoctor/internal/doctor"
	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/logscan"
	"github.com/gwdoctor/gwdoctor/internal/probe"
	"github.com/gwdoctor/gwdoctor/internal/report"
	"github.com/gwdoctor/gwdoctor/internal/request"
	"github.com/gwdoctor/gwdoctor/internal/target"
)

type diagnoseFlags struct {
	curl       string
	dnsCompare []string
	dnsServer  string
	har        string
	harEntry   int
	// userRequest is the request of --curl or --har, zero without them;
	// buildPlan copies it into the plan.
	userRequest request.Request
	json        bool
	format      string
	headers     []string
	cookies     []string
	resolve     []string
	timeout     time.Duration
	tries       int
	noTag       bool
	noFollow    bool
	http1       bool
	http2       bool
	upstream    string
	script      string
	docRoot     string
	origin      string
	kaWait      time.Duration
	insecure    bool
	verbose     bool
	method      string
	config      gatewayConfigFlags
	logs        logFlags
}

func newDiagnoseCmd(s streams) *cobra.Command {
	var f diagnoseFlags
	cmd := &cobra.Command{
		Use:   "diagnose ADDRESS",
		Short: "Find out who produced a gateway error, why, and what to do now",
		Long: `diagnose repeats the request, replays it without your cookies and headers and
with caches bypassed, recognises the product that produced the error page,
compares the failure's timing with known timeouts and, with --upstream, asks
the server behind the gateway directly. It prints a verdict with evidence,
the causes it ruled out and the steps that apply.

` + exitHelp,
		Example: `  gwdoctor diagnose https://shop.example/checkout
  gwdoctor diagnose --json https://shop.example/ | jq .verdict
  gwdoctor diagnose -H 'Cookie: session=abc' https://shop.example/cart
  gwdoctor diagnose --upstream 127.0.0.1:8080 http://127.0.0.1/
  gwdoctor diagnose --curl "$(xclip -o)"     # a request copied from the browser with "Copy as cURL"
  gwdoctor diagnose --har shop.example.har    # the first failed request of a HAR file from the browser`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case f.curl != "" && f.har != "":
				return usagef("diagnose takes the request from --curl or from --har, not both")
			case f.curl != "" && len(args) != 0:
				return usagef("diagnose takes the URL from --curl or as its argument, not both")
			case f.har != "" && len(args) != 0:
				return usagef("diagnose takes the URL from --har or as its argument, not both")
			case f.har == "" && cmd.Flags().Changed("har-entry"):
				return usagef("--har-entry needs --har")
			case f.curl == "" && f.har == "" && len(args) != 1:
				return usagef("diagnose takes exactly one address (a URL or a site's name), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var u string
			var err error
			switch {
			case f.curl != "":
				u, err = f.applyCurl(s)
			case f.har != "":
				u, err = f.applyHAR(s)
			}
			if err != nil {
				return err
			}
			if u != "" {
				args = []string{u}
			}
			return runDiagnose(cmd.Context(), s, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.curl, "curl", "", "diagnose the request of a \"Copy as cURL\" command from the browser's developer tools: its URL, method, headers and cookies (- reads it from stdin)")
	fl.StringVar(&f.har, "har", "", "diagnose a request from a HAR file saved from the browser's network panel: the first that got a gateway error, or the one --har-entry names; its URL, method, headers and cookies (- reads it from stdin)")
	fl.IntVar(&f.harEntry, "har-entry", 0, "the number of the HAR file's request to diagnose, from 1 (default: the first that got 502, 503, 504 or 520-530)")
	fl.BoolVar(&f.json, "json", false, "print the diagnosis as JSON (schema_version 1); the same as --format-out json")
	fl.StringVar(&f.format, "format-out", "text", "the report's format: text, json (schema_version 1), markdown (to paste into a ticket) or html (a self-contained page to attach)")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "send this header with every request, as 'Name: value' (repeatable)")
	fl.StringArrayVarP(&f.cookies, "cookie", "b", nil, "send these cookies, as 'name=value; name2=value2' (repeatable)")
	fl.StringArrayVar(&f.resolve, "resolve", nil, "use ADDR for HOST:PORT, as HOST:PORT:ADDR (repeatable)")
	fl.StringVar(&f.dnsServer, "dns-server", "", "resolve names through this DNS server (host or host:port) instead of this machine's resolver, as dig @server does")
	fl.StringSliceVar(&f.dnsCompare, "dns-compare", nil, "when the site does not answer, also ask these DNS servers (host or host:port, e.g. 1.1.1.1,8.8.8.8) for its name, and the site at the addresses only they give: a stale or wrong local answer is client.dns")
	fl.DurationVar(&f.timeout, "timeout", 90*time.Second, "the most the whole diagnosis may take")
	fl.IntVar(&f.tries, "tries", 3, "how many times to repeat the request")
	fl.BoolVar(&f.noTag, "no-tag", false, "do not tag requests with the diagnosis ID (header "+experiment.TagHeader+" and query parameter "+experiment.TagParam+")")
	fl.StringVar(&f.upstream, "upstream", "", "also ask the server behind the gateway directly: HOST:PORT, https://HOST:PORT, unix:/path, or over FastCGI (PHP-FPM) fcgi://HOST:PORT or fcgi:unix:/path")
	fl.StringVar(&f.script, "fastcgi-script", "", "the SCRIPT_FILENAME to ask a FastCGI upstream for (default: the URL's path under --document-root)")
	fl.StringVar(&f.docRoot, "document-root", "", "the DOCUMENT_ROOT of a FastCGI upstream (default /var/www/html)")
	fl.StringVar(&f.origin, "origin", "", "also send the request straight to the origin past the CDN or load balancer, with the same Host, TLS name and path: ADDR or ADDR:PORT")
	fl.DurationVar(&f.kaWait, "keepalive-wait", 0, "also measure how long the upstream keeps an idle keep-alive connection, watching at most this long (default: when the configuration keeps upstream connections alive)")
	fl.BoolVar(&f.http1, "http1.1", false, "speak HTTP/1.1 only, as curl --http1.1 (default: offer h2 and http/1.1 over TLS as a browser does, then compare with one request over HTTP/1.1)")
	fl.BoolVar(&f.http2, "http2", false, "ask for HTTP/2 over TLS, as curl --http2, and make no HTTP/1.1 comparison")
	fl.BoolVar(&f.noFollow, "no-follow", false, "do not follow redirects: diagnose the address itself, not the page its redirects end on")
	fl.BoolVarP(&f.insecure, "insecure", "k", false, "go on when a certificate does not verify (the failure is still reported)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "show each request and its response head")
	fl.StringVarP(&f.method, "request", "X", "GET", "request method")
	f.config.register(fl)
	fl.StringArrayVar(&f.logs.files, "log", nil, "read this gateway or PHP-FPM log for the lines of the diagnosis's own requests, to name the exact cause (repeatable; plain or .gz; FORMAT:FILE names its format)")
	fl.StringVar(&f.logs.format, "log-format", "", "the format of every --log file, instead of detecting it: "+strings.Join(logscan.Formats(), ", "))
	fl.StringVar(&f.logs.nginxLogFormat, "nginx-log-format", "", "the log_format definition of an nginx access log given with --log")
	return cmd
}

func runDiagnose(ctx context.Context, s streams, input string, f diagnoseFlags) error {
	t, err := target.Parse(input)
	if err != nil {
		return usagef("bad address: %v", err)
	}
	plan, err := buildPlan(t.Candidates[0], f)
	if err != nil {
		return err
	}
	if err := f.logs.check(); err != nil {
		return err
	}
	if !f.noTag {
		plan.ID = newID()
	}
	if !f.json && f.format == "text" && isTerminal(s.err) {
		var mu sync.Mutex
		plan.Progress = func(step string) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(s.err, "\r\x1b[K… %s", step)
		}
		defer fmt.Fprint(s.err, "\r\x1b[K")
	}
	req := doctor.Request{
		Plan: plan, Input: input, Candidates: t.Candidates, NoFollow: f.noFollow,
		Config: f.config.sources(), Logs: f.logs.logFiles(),
		LogFormat: f.logs.format, NginxLogFormat: f.logs.nginxLogFormat,
	}
	if f.userRequest.DroppedBody != "" {
		req.Notes = append(req.Notes, f.userRequest.DroppedBody+": a diagnosis never repeats a form, an order or a payment")
	}
	d, err := doctor.Run(ctx, req)
	if err != nil {
		return err
	}
	if err := render(s, d, f); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if d.Verdict.Failed() {
		return errFailureFound
	}
	return nil
}

func render(s streams, d report.Diagnosis, f diagnoseFlags) error {
	switch {
	case f.json || f.format == "json":
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		return enc.Encode(report.NewDocument(d))
	case f.format == "markdown":
		return report.Markdown(s.out, d)
	case f.format == "html":
		return report.HTML(s.out, d)
	}
	return report.Text(s.out, d, report.TextOptions{Color: colorWanted(s.out), Verbose: f.verbose})
}

// buildPlan checks the command line and turns it into a plan.
func buildPlan(rawURL string, f diagnoseFlags) (experiment.Plan, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return experiment.Plan{}, usagef("bad URL %q: want an absolute http:// or https:// URL", rawURL)
	}
	if f.timeout <= 0 {
		return experiment.Plan{}, usagef("--timeout must be positive, got %s", f.timeout)
	}
	switch f.format {
	case "text", "json", "markdown", "html":
	default:
		return experiment.Plan{}, usagef("unknown --format-out %q: want text, json, markdown or html", f.format)
	}
	if f.tries < 1 || f.tries > 20 {
		return experiment.Plan{}, usagef("--tries must be between 1 and 20, got %d", f.tries)
	}
	plan := experiment.Plan{
		URL: rawURL, Method: strings.ToUpper(f.method), Tries: f.tries, Timeout: f.timeout,
		Insecure: f.insecure, Header: http.Header{},
	}
	switch {
	case f.http1 && f.http2:
		return experiment.Plan{}, usagef("--http1.1 and --http2 exclude each other")
	case f.http1:
		plan.Protocol = probe.ProtocolHTTP1
	case f.http2:
		plan.Protocol = probe.ProtocolH2
	}
	for _, d := range f.dnsCompare {
		if !validDNSServer(d) {
			return experiment.Plan{}, usagef("bad --dns-compare %q: want a DNS server as HOST or HOST:PORT", d)
		}
		plan.CompareDNS = append(plan.CompareDNS, d)
	}
	if d := f.dnsServer; d != "" {
		if !validDNSServer(d) {
			return experiment.Plan{}, usagef("bad --dns-server %q: want a DNS server as HOST or HOST:PORT", d)
		}
		if _, _, err := net.SplitHostPort(d); err != nil {
			d = net.JoinHostPort(d, "53")
		}
		plan.Resolver = dnsResolver(d)
	}
	for _, h := range f.headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return experiment.Plan{}, usagef("bad header %q: want 'Name: value'", h)
		}
		value = strings.TrimSpace(value)
		if strings.EqualFold(name, "Cookie") {
			plan.Cookies = append(plan.Cookies, splitCookies(value)...)
			continue
		}
		plan.Header.Add(name, value)
	}
	for _, c := range f.cookies {
		cs := splitCookies(c)
		for _, one := range cs {
			if !strings.Contains(one, "=") {
				return experiment.Plan{}, usagef("bad cookie %q: want 'name=value'", one)
			}
		}
		plan.Cookies = append(plan.Cookies, cs...)
	}
	addUserRequest(&plan, f.userRequest)
	if len(f.resolve) > 0 {
		plan.Resolve = map[string]string{}
	}
	for _, r := range f.resolve {
		host, port, addr, err := parseResolve(r)
		if err != nil {
			return experiment.Plan{}, err
		}
		plan.Resolve[net.JoinHostPort(host, port)] = addr
	}
	if f.origin != "" {
		if err := checkOrigin(f.origin); err != nil {
			return experiment.Plan{}, err
		}
		plan.Origin = f.origin
	}
	if f.upstream != "" {
		if err := checkUpstream(f.upstream); err != nil {
			return experiment.Plan{}, err
		}
		plan.Upstream = f.upstream
	}
	plan.FastCGIScript, plan.FastCGIRoot = f.script, f.docRoot
	if f.kaWait < 0 || f.kaWait > time.Minute {
		return experiment.Plan{}, usagef("--keepalive-wait must be between 0 and 1m, got %s", f.kaWait)
	}
	plan.KeepAliveWait = f.kaWait
	return plan, nil
}

func splitCookies(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ";") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// parseResolve reads curl's HOST:PORT:ADDR form; ADDR may be a bracketed IPv6 address.
func parseResolve(s string) (host, port, addr string, err error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", usagef("bad --resolve %q: want HOST:PORT:ADDR", s)
	}
	addr = strings.Trim(parts[2], "[]")
	if net.ParseIP(addr) == nil {
		return "", "", "", usagef("bad --resolve %q: %q is not an IP address", s, parts[2])
	}
	return parts[0], parts[1], addr, nil
}

// checkOrigin accepts ADDR, ADDR:PORT, [IPv6]:PORT and host names.
func checkOrigin(s string) error {
	host := s
	if h, p, err := net.SplitHostPort(s); err == nil {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return usagef("bad --origin %q: bad port %q", s, p)
		}
		host = h
	}
	if host == "" || strings.ContainsAny(host, "/ ") {
		return usagef("bad --origin %q: want ADDR or ADDR:PORT", s)
	}
	return nil
}

func checkUpstream(s string) error {
	if rest, ok := strings.CutPrefix(s, "fcgi:unix:"); ok {
		if rest == "" {
			return usagef("bad --upstream %q: want fcgi:unix:/path/to/socket", s)
		}
		return nil
	}
	if rest, ok := strings.CutPrefix(s, "fcgi://"); ok {
		if _, _, err := net.SplitHostPort(strings.TrimSuffix(rest, "/")); err != nil {
			return usagef("bad --upstream %q: want fcgi://HOST:PORT", s)
		}
		return nil
	}
	if rest, ok := strings.CutPrefix(s, "unix:"); ok {
		if rest == "" {
			return usagef("bad --upstream %q: want unix:/path/to/socket", s)
		}
		return nil
	}
	hp := strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	hp = strings.TrimSuffix(hp, "/")
	if _, _, err := net.SplitHostPort(hp); err != nil {
		return usagef("bad --upstream %q: want HOST:PORT, https://HOST:PORT, unix:/path, fcgi://HOST:PORT or fcgi:unix:/path", s)
	}
	return nil
}

// newID returns a short random diagnosis ID.
func newID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// validDNSServer reports a HOST or HOST:PORT that can name a DNS server.
func validDNSServer(d string) bool {
	host := d
	if h, _, err := net.SplitHostPort(d); err == nil {
		host = h
	}
	return d != "" && (net.ParseIP(host) != nil || validHostname(host))
}

// validHostname reports a name made of letters, digits, hyphens and dots.
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, c := range h {
		if !(c == '.' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
