package request

import (
	"errors"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
)

// hdr builds a header from name, value pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// noBody is the note of a curl command whose body a replay leaves out.
const noBody = "the curl command's request body was not sent"

// The curl_*.txt fixtures are written the way the browsers named in each
// case copy a request; their hosts and values are made up.
func TestFromCurl(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string // a command, or "@file" for a fixture under testdata
		want Request
	}{
		{"chrome get", "@curl_chrome_get.txt", Request{
			URL: "https://shop.example.com/cart?step=2&lang=en", Method: "GET",
			Header: hdr("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
				"Accept-Language", "en-GB,en;q=0.9", "Cache-Control", "no-cache", "Pragma", "no-cache",
				"Referer", "https://shop.example.com/",
				"Sec-Ch-Ua", `"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"`,
				"Sec-Ch-Ua-Mobile", "?0", "Sec-Ch-Ua-Platform", `"Linux"`, "Sec-Fetch-Dest", "document",
				"Sec-Fetch-Mode", "navigate", "Sec-Fetch-Site", "same-origin", "Upgrade-Insecure-Requests", "1",
				"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"),
			Cookies: []string{"session=3f9a1c", "cart=17", "_ga=GA1.2.1234.5678"},
		}},
		{"chrome post with ansi-c quoting", "@curl_chrome_post.txt", Request{
			URL: "https://api.example.com/v1/orders", Method: "POST",
			Header:  hdr("Accept", "application/json", "Content-Type", "application/json", "Origin", "https://shop.example.com"),
			Cookies: []string{"session=3f9a1c"}, DroppedBody: noBody, Ignored: []string{"--compressed"},
		}},
		{"chrome cmd.exe form", "@curl_chrome_cmd.txt", Request{
			URL: "https://shop.example.com/search?q=a&b=%20c", Method: "POST",
			Header:  hdr("Accept", "*/*", "Sec-Ch-Ua", `"Chromium";v="124"`),
			Cookies: []string{"session=3f9a1c", "theme=dark"}, DroppedBody: noBody, Ignored: []string{"--compressed"},
		}},
		{"firefox post", "@curl_firefox.txt", Request{
			URL: "https://www.example.org/login", Method: "POST",
			Header: hdr("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
				"Accept", "*/*", "Accept-Language", "en-US,en;q=0.5", "Accept-Encoding", "gzip, deflate, br",
				"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://www.example.org",
				"Connection", "keep-alive", "Sec-Fetch-Dest", "empty", "Te", "trailers"),
			Cookies: []string{"csrftoken=abc123", "theme=dark"}, DroppedBody: noBody,
		}},
		{"safari", "@curl_safari.txt", Request{
			URL: "https://www.example.net/status", Method: "GET",
			Header: hdr("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
				"Accept-Language", "en-GB,en;q=0.9",
				"User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"),
			Cookies: []string{"id=42"},
		}},
		{"ansi-c header value", `curl https://a.example/ -H $'X-Note: it\'s \u00e9\u0021\ttab'`, Request{
			URL: "https://a.example/", Method: "GET", Header: hdr("X-Note", "it's é!\ttab"),
		}},
		{"attached and = values", `curl -HX-A:1 --header=X-B:2 --request=PUT -XPATCH --url=https://a.example/`, Request{
			URL: "https://a.example/", Method: "PATCH", Header: hdr("X-A", "1", "X-B", "2"),
		}},
		{"combined short flags", `curl -sSLk -XDELETE https://a.example/x`, Request{
			URL: "https://a.example/x", Method: "DELETE", Header: hdr(), Insecure: true,
			Ignored: []string{"--silent", "--show-error", "--location"},
		}},
		{"flags with a value last in the group", `curl -sH 'X-A: 1' -vo /dev/null https://a.example/`, Request{
			URL: "https://a.example/", Method: "GET", Header: hdr("X-A", "1"), Ignored: []string{"--silent", "--verbose", "--output"},
		}},
		{"agent referer user", `curl -A 'UA/1' -e https://r.example/ -u 'ana:s3cret' https://a.example/`, Request{
			URL: "https://a.example/", Method: "GET", Header: hdr("User-Agent", "UA/1", "Referer", "https://r.example/", "Authorization", "Basic YW5hOnMzY3JldA=="),
		}},
		{"resolve head json", `/usr/bin/curl -I --resolve a.example:443:127.0.0.1 --json '{}' a.example`, Request{
			URL: "http://a.example", Method: "HEAD", Header: hdr("Content-Type", "application/json", "Accept", "application/json"),
			DroppedBody: noBody, Resolve: []string{"a.example:443:127.0.0.1"},
		}},
		{"json keeps a given content type", `curl.exe -H 'Content-Type: application/ld+json' --json @x https://a.example/`, Request{
			URL: "https://a.example/", Method: "POST", Header: hdr("Content-Type", "application/ld+json", "Accept", "application/json"), DroppedBody: noBody,
		}},
		{"double quotes and backslashes", `curl "https://a.example/p" -H "X-Q: \"q\" \\ \$x" -H X-U:a\ b -F f=@x`, Request{
			URL: "https://a.example/p", Method: "POST", Header: hdr("X-Q", `"q" \ $x`, "X-U", "a b"), DroppedBody: noBody,
		}},
		{"empty and removed headers", "curl -H 'X-Empty;' -H 'Host:' -H 'Cookie;' -- https://a.example/", Request{
			URL: "https://a.example/", Method: "GET", Header: hdr("X-Empty", ""),
		}},
		{"crlf continuations", "curl https://a.example/ \\\r\n  -d a=1 \\\r\n  -b 'x=1'\r\n", Request{
			URL: "https://a.example/", Method: "POST", Header: hdr(), Cookies: []string{"x=1"}, DroppedBody: noBody,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := tc.in
			if file, ok := strings.CutPrefix(in, "@"); ok {
				b, err := os.ReadFile("testdata/" + file)
				if err != nil {
					t.Fatal(err)
				}
				in = string(b)
			}
			got, err := FromCurl(in)
			if err != nil {
				t.Fatalf("FromCurl: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FromCurl =\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}

func TestFromCurlErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", " \n\t", "empty"},
		{"not curl", "wget https://a.example/", `"wget", want curl`},
		{"no url", "curl -H 'X: 1'", "no URL"},
		{"two urls", "curl https://a.example/ https://b.example/", "more than one URL"},
		{"two commands", "curl https://a.example/ ;\ncurl https://b.example/", "2 commands"},
		{"pipe", "curl https://a.example/ | jq .", "single curl command"},
		{"redirection", "curl https://a.example/ > out", "single curl command"},
		{"variable", `curl -H "Authorization: Bearer $TOKEN" https://a.example/`, `"\"Authorization: Bearer $TOKEN\"" needs the shell`},
		{"command substitution", "curl $(cat url.txt)", "needs the shell"},
		{"backticks", "curl https://a.example/`id`", "needs the shell"},
		{"cmd variable", `curl ^"https://a.example/%USERPROFILE%^"`, "needs cmd.exe"},
		{"cookie file", "curl -b cookies.txt https://a.example/", "cookie files are not supported"},
		{"unknown long", "curl --proxy http://p:3128 https://a.example/", `unknown or unsupported option "--proxy"`},
		{"unknown short", "curl -sZ https://a.example/", `unknown or unsupported option "-Z"`},
		{"missing value", "curl https://a.example/ -H", "--header needs a value"},
		{"value on a flag", "curl --compressed=yes https://a.example/", "--compressed takes no value"},
		{"bad header", "curl -H 'no colon here' https://a.example/", "has no colon"},
		{"header file", "curl -H @headers.txt https://a.example/", "from a file"},
		{"user without password", "curl -u ana https://a.example/", "no password"},
		{"bad method", "curl -X '' https://a.example/", "not an HTTP method"},
		{"unclosed quote", "curl 'https://a.example/", "parsing the curl command: "},
		{"unclosed cmd quote", `curl ^"https://a.example/^" "x`, "double quote is not closed"},
		{"two cmd lines", "curl ^\"https://a.example/^\"\ncurl x", "more than one command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := FromCurl(tc.in)
			if err == nil {
				t.Fatalf("FromCurl(%q) = nil error, want %q", tc.in, tc.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "parsing the curl command: ") || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error = %q, want one line starting with \"parsing the curl command: \" containing %q", msg, tc.want)
			}
			if !errors.As(err, new(*Error)) {
				t.Errorf("error %q is not an *Error", msg)
			}
		})
	}
}

func FuzzFromCurl(f *testing.F) {
	files, _ := os.ReadDir("testdata")
	for _, e := range files {
		if strings.HasPrefix(e.Name(), "curl_") {
			b, err := os.ReadFile("testdata/" + e.Name())
			if err != nil {
				f.Fatal(err)
			}
			f.Add(string(b))
		}
	}
	for _, s := range []string{"curl -sSLk -XPOST -HA:b https://a/", `curl $'\u00e9\'\x00' "a\"$x"`, `curl ^"a^" ^` + "\n -H ^\"b\\^\"^\"", "curl -- -x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := FromCurl(in)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "parsing the curl command: ") || strings.Contains(msg, "\n") {
				t.Errorf("error = %q, want one line starting with \"parsing the curl command: \"", msg)
			}
			return
		}
		if got.URL == "" || got.Method == "" || got.Header == nil {
			t.Errorf("FromCurl(%q) = %+v without a URL, a method or a header", in, got)
		}
		if got.Header.Get("Cookie") != "" {
			t.Errorf("FromCurl(%q) kept a Cookie header", in)
		}
	})
}
