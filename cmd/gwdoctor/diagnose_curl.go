package main

import (
	"fmt"
	"io"
	"net/http"

	"github.com/gwdoctor/gwdoctor/internal/experiment"
	"github.com/gwdoctor/gwdoctor/internal/request"
)

// maxCurlBytes bounds a curl command read from stdin.
const maxCurlBytes = 1 << 20

// applyCurl reads --curl (from stdin when "-") and keeps its request for
// the plan. It returns the URL.
func (f *diagnoseFlags) applyCurl(s streams) (string, error) {
	src := f.curl
	if src == "-" {
		b, err := io.ReadAll(io.LimitReader(s.in, maxCurlBytes+1))
		if err != nil {
			return "", fmt.Errorf("reading the curl command from stdin: %w", err)
		}
		if len(b) > maxCurlBytes {
			return "", usagef("the curl command on stdin is longer than %d bytes", maxCurlBytes)
		}
		src = string(b)
	}
	req, err := request.FromCurl(src)
	if err != nil {
		return "", err
	}
	f.useRequest(req)
	return req.URL, nil
}

// useRequest keeps the request of --curl or --har for buildPlan, and adds
// to the flags what the command line could have said: its method unless
// -X was given, -k and --resolve.
func (f *diagnoseFlags) useRequest(req request.Request) {
	if f.method == "" || f.method == http.MethodGet {
		f.method = req.Method
	}
	f.insecure = f.insecure || req.Insecure
	f.resolve = append(f.resolve, req.Resolve...)
	f.userRequest = req
}

// addUserRequest copies the request of --curl or --har into a plan built
// from the flags: its headers and cookies after any given with -H and
// --cookie, and what the browser saw. Its body is never sent: a diagnosis
// must not repeat a payment or an order, and runDiagnose notes the drop.
func addUserRequest(plan *experiment.Plan, req request.Request) {
	for name, values := range req.Header {
		for _, v := range values {
			plan.Header.Add(name, v)
		}
	}
	plan.Cookies = append(plan.Cookies, req.Cookies...)
	plan.Reported = req.Reported
}
