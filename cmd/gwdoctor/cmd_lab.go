package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwdoctor/gwdoctor/internal/catalog"
	"github.com/gwdoctor/gwdoctor/internal/diagnose"
	"github.com/gwdoctor/gwdoctor/internal/doctor"
	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/gwconfig"
	"github.com/gwdoctor/gwdoctor/internal/lab"
	"github.com/gwdoctor/gwdoctor/internal/report"
)

type labFlags struct {
	json      bool
	parallel  int
	scenarios []string
	setups    []string
	gateway   string
}

// labResult is one scenario's outcome.
type labResult struct {
	Scenario    string        `json:"scenario"`
	Fault       string        `json:"fault"`
	Description string        `json:"description"`
	Gateway     string        `json:"gateway"`
	Want        catalog.Cause `json:"want"`
	// WantWithConfig is the cause expected with the configuration and
	// logs, when it differs from Want.
	WantWithConfig catalog.Cause `json:"want_with_config,omitempty"`
	Outside        catalog.Cause `json:"outside"` // the verdict from the responses alone
	// WithConfig is the verdict with the gateway's configuration and logs
	// and without the upstream's address, as on the gateway host; "" when
	// gwdoctor reads neither for the gateway.
	WithConfig catalog.Cause   `json:"with_config,omitempty"`
	Pass       bool            `json:"pass"`
	Diagnosis  report.Document `json:"diagnosis"`
	// Evidence is what the diagnosis with --upstream judged.
	Evidence diagnose.Evidence `json:"-"`
}

func newLabCmd(s streams) *cobra.Command {
	var f labFlags
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Run every built-in fault behind a real gateway on this machine and diagnose it",
		Long: `lab starts misbehaving upstreams on 127.0.0.1 (refused, closed, reset, invalid,
header_too_big, timeout, slow, intermittent, app_error, cookie_bomb, tls,
truncated, unreachable) behind a gateway, diagnoses each, and prints what
gwdoctor concluded: from the
responses alone ("outside") and with the upstream's address known, as an
operator on the gateway host would run it. It needs no network.

Exit codes: 0 every scenario was diagnosed as expected, 1 some were not,
2 bad usage, 3 the lab could not start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLab(cmd.Context(), s, f)
		},
	}
	cmd.Flags().BoolVar(&f.json, "json", false, "print the results as JSON")
	cmd.Flags().IntVar(&f.parallel, "parallel", 4, "how many scenarios run at once, each on its own ports (1 runs them one after another)")
	cmd.Flags().StringArrayVar(&f.scenarios, "scenario", nil, "run only this scenario (repeatable)")
	cmd.Flags().StringArrayVar(&f.setups, "setup", nil, "run this multi-program setup (repeatable; all for every one): "+setupNames())
	cmd.Flags().StringVar(&f.gateway, "gateway", "go", "the gateway in front of the upstreams: "+strings.Join(lab.Gateways(), ", ")+", a comma-separated list, or all")
	cmd.AddCommand(newLabServeCmd(s), newLabWatchCmd(s))
	return cmd
}

func selectScenarios(names []string) ([]lab.Scenario, error) {
	if len(names) == 0 {
		return lab.Scenarios(), nil
	}
	var out []lab.Scenario
	for _, n := range names {
		sc, ok := lab.LookupScenario(n)
		if !ok {
			return nil, usagef("unknown scenario %q; known: %s", n, scenarioNames())
		}
		out = append(out, sc)
	}
	return out, nil
}

func scenarioNames() string {
	var names []string
	for _, sc := range lab.Scenarios() {
		names = append(names, sc.Name)
	}
	return strings.Join(names, ", ")
}

// selectGateways turns the --gateway value (a product, a comma-separated
// list or "all") into product slugs.
func selectGateways(value string) ([]string, error) {
	if value == "all" {
		return lab.Gateways(), nil
	}
	var out []string
	for _, name := range strings.Split(value, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(lab.Gateways(), name) {
			return nil, usagef("unknown gateway %q; available: %s, all", name, strings.Join(lab.Gateways(), ", "))
		}
		out = append(out, name)
	}
	return out, nil
}

func runLab(ctx context.Context, s streams, f labFlags) error {
	if f.parallel < 1 || f.parallel > 64 {
		return usagef("--parallel must be between 1 and 64, got %d", f.parallel)
	}
	gateways, err := selectGateways(f.gateway)
	if err != nil {
		return err
	}
	scenarios, err := selectScenarios(f.scenarios)
	if err != nil {
		return err
	}
	if len(f.setups) > 0 && len(f.scenarios) == 0 {
		scenarios = nil // --setup alone runs only the setups
	}
	setups, err := selectSetups(f.setups, f.gateway == "all" && len(f.scenarios) == 0)
	if err != nil {
		return err
	}
	// Every scenario and setup is a job; jobs run --parallel at a time on
	// their own ports, and rows are printed in job order as soon as each
	// one and all before it are done, so the columns have fixed widths.
	var jobs []func(context.Context) (labResult, error)
	for _, gw := range gateways {
		for _, sc := range scenarios {
			if !lab.Supports(gw, sc.Fault) {
				continue
			}
			jobs = append(jobs, func(ctx context.Context) (labResult, error) {
				res, err := runScenario(ctx, sc, gw)
				if err != nil {
					return res, fmt.Errorf("running scenario %s behind %s: %w", sc.Name, gw, err)
				}
				return res, nil
			})
		}
	}
	for _, su := range setups {
		jobs = append(jobs, func(ctx context.Context) (labResult, error) {
			return runSetup(ctx, su) // its errors name the setup
		})
	}
	const row = "%-26s %-8s %-21s %-26s %-26s %-13s %-6s %-27s %6s  %s\n"
	if !f.json {
		fmt.Fprintf(s.out, row, "SCENARIO", "GATEWAY", "OUTSIDE", "WITH --upstream", "WITH CONFIG AND LOGS", "PERSISTENCE", "STATUS", "GENERATED BY", "TIME", "AS EXPECTED")
	}
	results := make([]labResult, 0, len(jobs))
	failed := 0
	err = runJobs(ctx, jobs, f.parallel, func(res labResult) {
		if !res.Pass {
			failed++
		}
		results = append(results, res)
		if !f.json {
			printLabRow(s, row, res)
		}
	})
	if err != nil {
		return err
	}
	if f.json {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return fmt.Errorf("writing results: %w", err)
		}
	} else {
		fmt.Fprintf(s.out, "\n%d of %d scenarios diagnosed as expected\n", len(results)-failed, len(results))
	}
	if failed > 0 {
		return errFailureFound
	}
	return nil
}

// runJobs runs the jobs, at most parallel at a time, and hands their
// results to done in job order, each as soon as it and every job before it
// have finished. The first error cancels the jobs not yet finished and is
// returned once the running ones have stopped.
func runJobs(ctx context.Context, jobs []func(context.Context) (labResult, error), parallel int, done func(labResult)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		res labResult
		err error
	}
	outs := make([]chan outcome, len(jobs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, job := range jobs {
		outs[i] = make(chan outcome, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				outs[i] <- outcome{err: ctx.Err()}
				return
			}
			defer func() { <-sem }()
			if err := ctx.Err(); err != nil {
				outs[i] <- outcome{err: err}
				return
			}
			res, err := job(ctx)
			outs[i] <- outcome{res, err}
		}()
	}
	defer wg.Wait()
	for _, ch := range outs {
		o := <-ch
		if o.err != nil {
			cancel()
			return o.err
		}
		done(o.res)
	}
	return nil
}

func printLabRow(s streams, row string, res labResult) {
	v := res.Diagnosis.Verdict
	mark := "yes"
	if !res.Pass {
		mark = "NO, want " + string(res.Want)
	}
	fmt.Fprintf(s.out, row, res.Scenario, res.Gateway, res.Outside, v.Cause, cmp.Or(res.WithConfig, "-"), v.Persistence, fmt.Sprint(v.Status),
		v.GeneratedBy.Product+" ("+v.GeneratedBy.Role+")", fmt.Sprintf("%.2fs", res.Diagnosis.DurationMS/1000), mark)
}

func setupNames() string {
	var names []string
	for _, su := range lab.Setups() {
		names = append(names, su.Name)
	}
	return strings.Join(names, ", ")
}

// selectSetups turns --setup values into setups; every setup when all is
// set or a value is "all".
func selectSetups(names []string, all bool) ([]lab.Setup, error) {
	if all || slices.Contains(names, "all") {
		return lab.Setups(), nil
	}
	var out []lab.Setup
	for _, n := range names {
		su, ok := lab.LookupSetup(n)
		if !ok {
			return nil, usagef("unknown setup %q; known: %s, all", n, setupNames())
		}
		out = append(out, su)
	}
	return out, nil
}

// runSetup starts one setup and diagnoses it as runScenario does.
func runSetup(ctx context.Context, su lab.Setup) (labResult, error) {
	st, err := su.Start(ctx, "")
	if err != nil {
		return labResult{}, err
	}
	defer st.Close()
	site := st.Gateway.URL()
	if st.SiteURL != "" {
		site = st.SiteURL
	}
	plan := stackPlan(site, st.Upstream, st.Timeouts, st.Gateway.Product(), nil)
	if st.Resolver != "" {
		plan.Resolver = dnsResolver(st.Resolver)
	}
	if st.CompareDNS != "" {
		plan.CompareDNS = []string{st.CompareDNS}
	}
	plan.Origin = st.Origin
	plan.FastCGIScript = st.FastCGIScript
	plan.Insecure = st.Insecure
	plan.ID = newID()
	d, err := doctor.Run(ctx, doctor.Request{Plan: plan, NoFollow: !st.Follow})
	if err != nil {
		return labResult{}, err
	}
	v := d.Verdict
	res := labResult{
		Scenario: su.Name, Fault: "setup", Description: su.Description, Gateway: su.Product,
		Want: su.Want, WantWithConfig: su.WantWithConfig, Outside: doctor.Outside(d.Evidence).Cause,
		Pass:      v.Cause == su.Want && (su.WantPersistence == "" || string(v.Persistence) == su.WantPersistence),
		Diagnosis: report.NewDocument(d), Evidence: d.Evidence,
	}
	if su.WantPersistence == "" || su.WantPersistence == "persistent" {
		// Logs tell what a failure that comes and goes did at its last
		// moment only; they are asked about persistent failures.
		err = withConfig(ctx, &res, plan, st.Gateway, st.Logs, st.Follow)
	}
	return res, err
}

// withConfig diagnoses the running gateway again as a user on its host
// would, with its configuration and logs and without the upstream's
// address, and records that verdict in res; it must name the same cause.
func withConfig(ctx context.Context, res *labResult, plan experiment.Plan, g lab.Gateway, logs []string, follow bool) error {
	src := labConfig(g)
	if src == (gwconfig.Sources{}) && len(logs) == 0 {
		return nil
	}
	plan.Upstream, plan.Limits, plan.ID = "", nil, newID()
	req := doctor.Request{Plan: plan, Config: src, NoFollow: !follow}
	for _, l := range logs {
		req.Logs = append(req.Logs, doctor.LogFile{Name: l})
	}
	d, err := doctor.Run(ctx, req)
	if err != nil {
		return err
	}
	res.WithConfig = d.Verdict.Cause
	res.Pass = res.Pass && res.WithConfig == cmp.Or(res.WantWithConfig, res.Want)
	return nil
}

// dnsResolver resolves every name through the DNS server at addr.
func dnsResolver(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// runScenario starts one scenario, diagnoses it as an operator would (with
// the upstream's address) and judges the same evidence without the direct
// requests, which is what a visitor learns.
func runScenario(ctx context.Context, sc lab.Scenario, gateway string) (labResult, error) {
	run, err := lab.StartScenario(ctx, sc, lab.GatewayOptions{Product: gateway})
	if err != nil {
		return labResult{}, err
	}
	defer run.Close()
	plan := labPlan(run)
	plan.ID = newID()
	d, err := doctor.Run(ctx, doctor.Request{Plan: plan, NoFollow: true})
	if err != nil {
		return labResult{}, err
	}
	v := report.NewDocument(d).Verdict
	want, persistence := sc.Expect(gateway)
	res := labResult{
		Scenario: sc.Name, Fault: string(sc.Fault), Description: sc.Description, Gateway: run.Gateway.Product(),
		Want: want, Outside: doctor.Outside(d.Evidence).Cause,
		Pass:      v.Cause == want && v.Persistence == persistence,
		Diagnosis: report.NewDocument(d), Evidence: d.Evidence,
	}
	if c, p, ok := lab.AlsoExpect(gateway, sc.Fault); ok && v.Cause == c && v.Persistence == p {
		res.Pass = true
	}
	if gateway == "go" || persistence != "persistent" {
		return res, nil
	}
	err = withConfig(ctx, &res, plan, run.Gateway, lab.Logs(run.Gateway), false)
	if lab.LogSilent(gateway, sc.Fault) && (res.WithConfig == res.Outside || res.WithConfig == "upstream") {
		// The log says nothing more than the responses.
		res.Pass = v.Cause == want && v.Persistence == persistence
	}
	return res, err
}

// labPlan is the diagnosis plan for a running scenario: the scenario's
// client headers, the upstream's address and the gateway's known limits.
func labPlan(run *lab.Running) experiment.Plan {
	return stackPlan(run.Gateway.URL(), run.Upstream.URL(), run.Gateway.Timeouts(), run.Gateway.Product(), run.Scenario.RequestHeader())
}

// stackPlan is the diagnosis plan for a gateway at gatewayURL with the
// upstream and limits the lab knows, sending the client headers h.
func stackPlan(gatewayURL, upstream string, t lab.GatewayTimeouts, product string, h http.Header) experiment.Plan {
	plan := experiment.Plan{
		URL:      strings.TrimSuffix(gatewayURL, "/") + "/checkout",
		Upstream: upstream,
		Timeout:  20 * time.Second,
	}
	connName, respName, headName := t.ConnectSetting, t.ResponseSetting, t.HeaderSetting
	if respName == "" {
		connName, respName, headName = "Dialer.Timeout", "Transport.ResponseHeaderTimeout", "Transport.MaxResponseHeaderBytes"
	}
	if connName != "" && t.Connect > 0 {
		plan.Limits = append(plan.Limits, diagnose.Limit{Name: connName, Product: product, Timeout: t.Connect, Connect: true})
	}
	if t.Response > 0 {
		plan.Limits = append(plan.Limits, diagnose.Limit{Name: respName, Product: product, Timeout: t.Response})
	}
	if headName != "" && t.MaxHeaderBytes > 0 {
		plan.Limits = append(plan.Limits, diagnose.Limit{Name: headName, Product: product, HeaderBytes: t.MaxHeaderBytes})
	}
	if h == nil {
		return plan
	}
	h = h.Clone()
	for _, c := range h.Values("Cookie") {
		plan.Cookies = append(plan.Cookies, splitCookies(c)...)
	}
	h.Del("Cookie")
	plan.Header = h
	return plan
}

func newLabServeCmd(s streams) *cobra.Command {
	var fault, gateway, setup string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Keep one fault scenario running and print its URL, until interrupted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if setup != "" {
				return serveSetup(cmd.Context(), s, setup)
			}
			gws, err := selectGateways(gateway)
			if err != nil {
				return err
			}
			if len(gws) != 1 {
				return usagef("lab serve runs one gateway; pick one of %s", strings.Join(lab.Gateways(), ", "))
			}
			sc, ok := lab.LookupScenario(fault)
			if !ok {
				return usagef("unknown fault %q; known: %s", fault, scenarioNames())
			}
			run, err := lab.StartScenario(cmd.Context(), sc, lab.GatewayOptions{Product: gws[0]})
			if err != nil {
				return fmt.Errorf("starting scenario %s: %w", sc.Name, err)
			}
			defer run.Close()
			fmt.Fprintf(s.out, "fault:    %s (%s)\ngateway:  %s %s\nupstream: %s\nlog:      %s\n", sc.Name, sc.Description,
				run.Gateway.Product(), run.Gateway.URL(), run.Upstream.URL(), run.Gateway.LogPath())
			try := "gwdoctor diagnose " + run.Gateway.URL() + " --upstream " + run.Upstream.URL()
			if flag := configFlag(run.Gateway); flag != "" {
				fmt.Fprintf(s.out, "config:   %s\n", flag)
				try += " " + flag
			}
			fmt.Fprintf(s.out, "try:      %s\n", try)
			<-cmd.Context().Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&fault, "fault", "timeout", "the fault to serve: "+scenarioNames())
	cmd.Flags().StringVar(&gateway, "gateway", "go", "the gateway in front of the upstream: "+strings.Join(lab.Gateways(), ", "))
	cmd.Flags().StringVar(&setup, "setup", "", "serve this setup of several programs instead: "+setupNames())
	return cmd
}

// serveSetup keeps a setup running until ctx ends.
func serveSetup(ctx context.Context, s streams, name string) error {
	su, ok := lab.LookupSetup(name)
	if !ok {
		return usagef("unknown setup %q; known: %s", name, setupNames())
	}
	st, err := su.Start(ctx, "")
	if err != nil {
		return err // it names the setup
	}
	defer st.Close()
	fmt.Fprintf(s.out, "setup:    %s (%s)\ngateway:  %s %s\n", su.Name, su.Description, st.Gateway.Product(), st.Gateway.URL())
	if st.Origin != "" {
		fmt.Fprintf(s.out, "origin:   %s\n", st.Origin)
	}
	if st.Upstream != "" {
		fmt.Fprintf(s.out, "upstream: %s\n", st.Upstream)
	}
	try := "gwdoctor diagnose " + st.Gateway.URL()
	if st.SiteURL != "" {
		fmt.Fprintf(s.out, "site:     %s\n", st.SiteURL)
		try = "gwdoctor diagnose " + st.SiteURL
	}
	switch {
	case st.SiteURL != "" && st.Resolver != "" && st.CompareDNS != "":
		fmt.Fprintf(s.out, "dns:      %s (this machine's, stale), %s (another)\n", st.Resolver, st.CompareDNS)
		try += " --dns-server " + st.Resolver + " --dns-compare " + st.CompareDNS
	case st.SiteURL != "" && st.Resolver != "":
		fmt.Fprintf(s.out, "dns:      %s\n", st.Resolver)
		try += " --dns-server " + st.Resolver
	}
	if flag := configFlag(st.Gateway); flag != "" {
		fmt.Fprintf(s.out, "config:   %s\n", flag)
		try += " " + flag
	}
	for _, l := range st.Logs {
		fmt.Fprintf(s.out, "log:      %s\n", l)
		try += " --log " + l
	}
	fmt.Fprintf(s.out, "try:      %s\n", try)
	<-ctx.Done()
	return nil
}

// labConfigs are the configuration files the lab writes for the products
// whose configuration gwdoctor reads, beside the gateway's log: the flag
// that names one, its file name, and its field of gwconfig.Sources.
var labConfigs = map[string]struct {
	flag, name string
	field      func(*gwconfig.Sources) *string
}{
	"nginx":    {"--nginx-config", "nginx.conf", func(s *gwconfig.Sources) *string { return &s.Nginx }},
	"haproxy":  {"--haproxy-config", "haproxy.cfg", func(s *gwconfig.Sources) *string { return &s.HAProxy }},
	"apache":   {"--apache-config", "apache2.conf", func(s *gwconfig.Sources) *string { return &s.Apache }},
	"caddy":    {"--caddy-config", "Caddyfile", func(s *gwconfig.Sources) *string { return &s.Caddy }},
	"varnish":  {"--varnish-config", "default.vcl", func(s *gwconfig.Sources) *string { return &s.Varnish }},
	"squid":    {"--squid-config", "squid.conf", func(s *gwconfig.Sources) *string { return &s.Squid }},
	"lighttpd": {"--lighttpd-config", "lighttpd.conf", func(s *gwconfig.Sources) *string { return &s.Lighttpd }},
}

// configFile is the configuration file of a running lab gateway that
// gwdoctor reads, and its flag; "" when there is none.
func configFile(g lab.Gateway) (flag, file string) {
	c, ok := labConfigs[g.Product()]
	dir := ""
	if g.LogPath() != "" {
		dir = filepath.Dir(g.LogPath())
	} else if d, isDir := g.(interface{ Dir() string }); isDir {
		dir = d.Dir() // Varnish logs to shared memory, not to a file
	}
	if !ok || dir == "" {
		return "", ""
	}
	file = filepath.Join(dir, c.name)
	if _, err := os.Stat(file); err != nil {
		return "", ""
	}
	return c.flag, file
}

// configFlag is the flag that hands a running lab gateway's configuration
// to a diagnosis, or "" when gwdoctor does not read that product's.
func configFlag(g lab.Gateway) string {
	flag, file := configFile(g)
	if flag == "" {
		return ""
	}
	return flag + " " + file
}

// labConfig is the running lab gateway's configuration as a diagnosis
// reads it.
func labConfig(g lab.Gateway) gwconfig.Sources {
	var src gwconfig.Sources
	if _, file := configFile(g); file != "" {
		*labConfigs[g.Product()].field(&src) = file
	}
	return src
}
