package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxCurlBytes bounds a curl command read from stdin.
const maxCurlBytes = 1 << 20

// applyCurl parses --curl (from stdin when "-") and adds its request to the
// flags: its headers and cookies after any given with -H and --cookie, its
// method unless -X was given, -k and --resolve. It returns the URL. A body
// is never sent: a diagnosis must not repeat a payment or an order, so the
// request goes without it, and the report says so.
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
	req, err := parseCurl(src)
	if err != nil {
		return "", err
	}
	f.addState(req.Header, req.Cookies)
	method := req.Method
	if method == "" && req.Body {
		method = "POST" // as curl does for -d and the like
	}
	if method != "" && (f.method == "" || f.method == "GET") {
		f.method = method
	}
	f.insecure = f.insecure || req.Insecure
	f.resolve = append(f.resolve, req.Resolve...)
	if req.Body {
		f.droppedBody = "the curl command's request body was not sent"
	}
	return req.URL, nil
}

// addState adds an imported request's headers and cookies after any given
// with -H and --cookie.
func (f *diagnoseFlags) addState(h http.Header, cookies []string) {
	for name, values := range h {
		for _, v := range values {
			f.headers = append(f.headers, name+": "+v)
		}
	}
	if len(cookies) > 0 {
		f.cookies = append(f.cookies, strings.Join(cookies, "; "))
	}
}
