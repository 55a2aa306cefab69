package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gwdoctor/gwdoctor/internal/request"
)

// applyHAR reads --har (from stdin when "-") and keeps the request of its
// entry for the plan, as applyCurl does for --curl. It returns the URL.
func (f *diagnoseFlags) applyHAR(s streams) (string, error) {
	var r io.Reader = s.in
	if f.har != "-" {
		file, err := os.Open(f.har)
		if err != nil {
			return "", fmt.Errorf("reading the HAR file: %w", err)
		}
		defer file.Close()
		r = file
	}
	req, err := request.FromHAR(r, f.harEntry)
	if errors.Is(err, request.ErrNoFailure) {
		return "", usagef("%v; choose one with --har-entry N", err)
	}
	if err != nil {
		return "", err
	}
	f.useRequest(req)
	return req.URL, nil
}
