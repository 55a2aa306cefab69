package request_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/request"
)

func ExampleFromCurl() {
	req, err := request.FromCurl(`curl 'https://shop.example/api/pay' \
  -H 'accept: application/json' \
  -b 'session=3f9a1c; theme=dark' \
  --data-raw '{"card":"4111"}' \
  --compressed`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Method, req.URL)
	fmt.Println("Accept:", req.Header.Get("Accept"))
	fmt.Println("cookies:", req.Cookies)
	fmt.Println(req.DroppedBody)
	// Output:
	// POST https://shop.example/api/pay
	// Accept: application/json
	// cookies: [session=3f9a1c theme=dark]
	// the curl command's request body was not sent
}

func ExampleFromCurl_error() {
	_, err := request.FromCurl(`curl -H "Authorization: Bearer $TOKEN" https://shop.example/`)
	var re *request.Error
	fmt.Println(errors.As(err, &re))
	fmt.Println(err)
	// Output:
	// true
	// parsing the curl command: "\"Authorization: Bearer $TOKEN\"" needs the shell to expand a variable or run a command; gwdoctor runs nothing, so paste the value itself
}

func ExampleFromHAR() {
	har := `{"log":{"entries":[
  {"request":{"method":"GET","url":"https://shop.example/"},"response":{"status":200}},
  {"startedDateTime":"2026-11-26T09:12:04.917Z","time":1003.4,
   "request":{"method":"GET","url":"https://shop.example/cart",
     "headers":[{"name":":authority","value":"shop.example"},{"name":"cookie","value":"session=3f9a1c"}]},
   "response":{"status":502}}]}}`
	req, err := request.FromHAR(strings.NewReader(har), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Method, req.URL, req.Cookies)
	fmt.Println(req.Reported.Source, "got", req.Reported.Status, "after", req.Reported.Took)
	// Output:
	// GET https://shop.example/cart [session=3f9a1c]
	// HAR entry 2 got 502 after 1.0034s
}
