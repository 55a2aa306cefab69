package watch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/gwdoctor/gwdoctor/internal/doctor"
	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/monitor"
	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

// Request is the diagnosis of a target, as gwdoctor diagnose would run it
// with the same address, headers, cookies, upstream, origin, gateway
// configuration and logs.
func Request(spec watchconfig.Target, c Checker) doctor.Request {
	plan := experiment.Plan{
		URL: spec.URL, Header: spec.Header.Clone(), Cookies: spec.Cookies,
		Upstream: spec.Upstream, Origin: spec.Origin, Insecure: c.Insecure,
		Timeout: spec.Timeout * 6, ID: newID(), Dialer: c.Dialer, Resolver: c.Resolver,
	}
	req := doctor.Request{
		Plan: plan, Input: spec.Input, Candidates: spec.Candidates, NoFollow: !spec.FollowRedirects,
		Config: spec.Gateway,
	}
	for _, l := range spec.Logs {
		req.Logs = append(req.Logs, doctor.LogFile{Name: l.Name, Format: l.Format})
	}
	return req
}

// Diagnose runs the full diagnosis of a target through doctor.Run, the
// function gwdoctor diagnose runs, and keeps the whole diagnosis for the
// pages, the API and storage.
func (c Checker) Diagnose(ctx context.Context, t monitor.Target) (monitor.Diagnosis, error) {
	spec, ok := t.Spec.(watchconfig.Target)
	if !ok {
		return monitor.Diagnosis{}, fmt.Errorf("diagnosing %s: the target has no configuration", t.ID)
	}
	d, err := doctor.Run(ctx, Request(spec, c))
	if err != nil {
		return monitor.Diagnosis{}, fmt.Errorf("diagnosing %s: %w", spec.Name, err)
	}
	out := monitor.Diagnosis{Cause: d.Verdict.Cause, GeneratedBy: d.Verdict.GeneratedBy, Report: d}
	for _, s := range d.Verdict.Steps {
		if s.Who == "operator" {
			out.Steps = append(out.Steps, s.Text)
		}
	}
	return out, nil
}

// newID returns a short random diagnosis ID, the tag of its requests.
func newID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
