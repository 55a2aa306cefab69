package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

const (
	readTok  = "read-7f3c9a1e5b"
	adminTok = "admin-0d4e8b2c6a"
)

func TestTokenMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		given, want string
		ok          bool
	}{
		{readTok, readTok, true},
		{readTok, adminTok, false},
		{readTok[:5], readTok, false},
		{readTok + "x", readTok, false},
		{"", "", false},
		{"x", "", false},
		{"", readTok, false},
	}
	for _, tt := range tests {
		if got := tokenMatches(tt.given, tt.want); got != tt.ok {
			t.Errorf("tokenMatches(%q, %q) = %v, want %v", tt.given, tt.want, got, tt.ok)
		}
	}
}

// TestTokensComparedInConstantTime reads the package's own source: tokens
// and cookies are compared only through tokenMatches, which uses
// subtle.ConstantTimeCompare, and never with == or !=, whose time depends
// on where two strings first differ.
func TestTokensComparedInConstantTime(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var usesSubtle bool
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && id.Name == "subtle" && n.Sel.Name == "ConstantTimeCompare" {
					usesSubtle = true
				}
			case *ast.BinaryExpr:
				if n.Op != token.EQL && n.Op != token.NEQ || emptyString(n.X) || emptyString(n.Y) {
					return true // whether a token is set at all is no secret
				}
				for _, side := range []ast.Expr{n.X, n.Y} {
					if secretish(side) {
						t.Errorf("%s: a token or cookie compared with %s", fset.Position(n.Pos()), n.Op)
					}
				}
			}
			return true
		})
	}
	if !usesSubtle {
		t.Error("no call of subtle.ConstantTimeCompare in the package")
	}
}

func emptyString(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Kind == token.STRING && (lit.Value == `""` || lit.Value == "``")
}

// secretish reports whether an expression reads a token or a cookie's value.
func secretish(e ast.Expr) bool {
	var found bool
	ast.Inspect(e, func(n ast.Node) bool {
		var name string
		switch n := n.(type) {
		case *ast.Ident:
			name = n.Name
		case *ast.SelectorExpr:
			name = n.Sel.Name
		case *ast.BasicLit:
			return false // a literal compared is not a secret
		}
		l := strings.ToLower(name)
		found = found || strings.Contains(l, "token") || l == "tok" || l == "value" || strings.Contains(l, "cookie")
		return true
	})
	return found
}

func TestLoopback(t *testing.T) {
	t.Parallel()
	addrs := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8502", true}, {"[::1]:8502", true}, {"localhost:8502", true}, {"127.0.0.2:80", true},
		{":8502", false}, {"0.0.0.0:8502", false}, {"[::]:8502", false}, {"192.0.2.1:8502", false}, {"example.com:80", false},
	}
	for _, tt := range addrs {
		if got := loopbackAddr(tt.addr); got != tt.want {
			t.Errorf("loopbackAddr(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	hosts := []struct {
		host string
		want bool
	}{
		{"127.0.0.1:8502", true}, {"localhost", true}, {"LOCALHOST:8502", true}, {"[::1]:8502", true}, {"[::1]", true},
		{"evil.example:8502", false}, {"localhost.evil.example", false}, {"", false}, {"192.0.2.1", false},
	}
	for _, tt := range hosts {
		if got := loopbackHost(tt.host); got != tt.want {
			t.Errorf("loopbackHost(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/incidents/1": "/incidents/1", "/": "/", "": "/", "//evil.example/": "/", "https://evil.example/": "/",
		"/\\evil.example": "/", "incidents": "/", "/a\r\nSet-Cookie: x": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// cred is a way a request may present itself.
type cred struct {
	name   string
	host   string // the Host header; default 127.0.0.1:8502
	header string // the Authorization header
	cookie string
}

// ask sends one request to s with c and returns the status.
func ask(s *Server, method, path string, c cred) int {
	var body string
	if path == "/api/v1/maintenance" {
		body = `{"end":"2026-03-10T13:00:00Z"}`
	}
	r := httptest.NewRequest(method, "http://127.0.0.1:8502"+path, strings.NewReader(body))
	if c.host != "" {
		r.Host = c.host
	}
	if c.header != "" {
		r.Header.Set("Authorization", c.header)
	}
	if c.cookie != "" {
		r.AddCookie(&http.Cookie{Name: cookieName, Value: c.cookie})
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, r)
	return rec.Code
}

// TestAccess asks every kind of path with every kind of credential, on a
// loopback listener and on one open to the network.
func TestAccess(t *testing.T) {
	t.Parallel()
	creds := []cred{
		{name: "none"},
		{name: "rebinding", host: "evil.example:8502"},
		{name: "read", header: "Bearer " + readTok},
		{name: "admin", header: "Bearer " + adminTok},
		{name: "wrong", header: "Bearer " + readTok + "x"},
		{name: "basic", header: "Basic " + readTok},
		{name: "cookie", cookie: cookieFor(readTok)},
		{name: "token as cookie", cookie: readTok},
	}
	type want map[string]int // by credential name; "*" for the others
	readers := want{"*": 401, "read": 200, "admin": 200, "cookie": 200}
	paths := []struct {
		method, path      string
		loopback, network want
	}{
		{"GET", "/", want{"*": 200}, want{"*": 200}},
		{"GET", "/healthz", want{"*": 200}, want{"*": 200}},
		{"GET", "/readyz", want{"*": 200}, want{"*": 200}},
		{"GET", "/incidents/1741607000000-bbbb", want{"*": 200, "rebinding": 401}, readers},
		{"GET", "/targets/api", want{"*": 200, "rebinding": 401}, readers},
		{"GET", "/api/v1/incidents", want{"*": 200, "rebinding": 401}, readers},
		{"GET", "/metrics", want{"*": 200, "rebinding": 401}, readers},
		{"POST", "/api/v1/targets/api/check", want{"*": 401, "admin": 200}, want{"*": 401, "admin": 200}},
		{"POST", "/api/v1/maintenance", want{"*": 401, "admin": 201}, want{"*": 401, "admin": 201}},
		{"DELETE", "/api/v1/maintenance/1", want{"*": 401, "admin": 204}, want{"*": 401, "admin": 204}},
		{"GET", "/api/v1/maintenance", want{"*": 200, "rebinding": 401}, readers},
	}
	for _, addr := range []string{"127.0.0.1:8502", "0.0.0.0:8502"} {
		s, _ := newTestServer(t, Options{Addr: addr, ReadToken: readTok, AdminToken: adminTok, Metrics: NewMetrics(MetricsOptions{NoRuntime: true}),
			CheckNow: okCheck, Maintenance: &memMaintenance{}})
		for _, p := range paths {
			w := p.loopback
			if addr != "127.0.0.1:8502" {
				w = p.network
			}
			for _, c := range creds {
				code, ok := w[c.name]
				if !ok {
					code = w["*"]
				}
				if got := ask(s, p.method, p.path, c); got != code {
					t.Errorf("%s: %s %s with %s: got %d, want %d", addr, p.method, p.path, c.name, got, code)
				}
			}
		}
	}
}

// TestAdminNeedsConfiguredToken: without an admin token nothing changes
// state, whoever asks.
func TestAdminNeedsConfiguredToken(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{ReadToken: readTok, CheckNow: okCheck, Maintenance: &memMaintenance{}})
	r := httptest.NewRequest("POST", "/api/v1/targets/api/check", nil)
	r.Header.Set("Authorization", "Bearer ")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, r)
	if rec.Code != http.StatusForbidden {
		t.Errorf("got %d, want 403", rec.Code)
	}
}

// TestLogin signs in with the form and reads with the cookie it sets.
func TestLogin(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, Options{Addr: "0.0.0.0:8502", ReadToken: readTok, AdminToken: adminTok})
	tests := []struct {
		name, token string
		code        int
	}{
		{"read", readTok, http.StatusSeeOther},
		{"admin", adminTok, http.StatusSeeOther},
		{"wrong", "nope", http.StatusUnauthorized},
		{"empty", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		form := url.Values{"token": {tt.token}, "next": {"/incidents/1741607000000-bbbb"}}
		r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, r)
		if rec.Code != tt.code {
			t.Errorf("%s: login answered %d, want %d", tt.name, rec.Code, tt.code)
			continue
		}
		cookies := rec.Result().Cookies()
		if tt.code != http.StatusSeeOther {
			if len(cookies) != 0 {
				t.Errorf("%s: a failed login set %v", tt.name, cookies)
			}
			continue
		}
		if loc := rec.Header().Get("Location"); loc != "/incidents/1741607000000-bbbb" {
			t.Errorf("%s: redirected to %q", tt.name, loc)
		}
		c := cookies[0]
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || strings.Contains(c.Value, tt.token) {
			t.Errorf("%s: cookie %+v: want HttpOnly, SameSite=Strict, not the token itself", tt.name, c)
		}
		for path, code := range map[string]int{"/api/v1/incidents": 200, "/api/v1/maintenance": 401} {
			method := "GET"
			if path == "/api/v1/maintenance" {
				method = "POST" // the cookie reads, never changes
			}
			r := httptest.NewRequest(method, path, strings.NewReader("{}"))
			r.AddCookie(c)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, r)
			if rec.Code != code {
				t.Errorf("%s: %s %s with the cookie: %d, want %d", tt.name, method, path, rec.Code, code)
			}
		}
	}
}
