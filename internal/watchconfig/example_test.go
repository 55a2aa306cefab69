package watchconfig_test

import (
	"fmt"

	"github.com/gwdoctor/gwdoctor/internal/watchconfig"
)

func ExampleParse() {
	env := func(name string) (string, bool) {
		v, ok := map[string]string{"HOME": "/home/ops"}[name]
		return v, ok
	}
	_, err := watchconfig.Parse("gwdoctor.yaml", []byte(`
intervall: 30s
targets:
  - url: shop.example
    timeout: 1m
    headers: {Authorization: "Bearer ${SHOP_TOKEN}"}
`), env)
	fmt.Println(err)
	// Output:
	// gwdoctor.yaml:2:1: unknown key "intervall" in the top level (did you mean "interval"?)
	// gwdoctor.yaml:5:14: targets[0].timeout: 1m0s is longer than the interval, 30s
	// gwdoctor.yaml:6:38: targets[0].headers.Authorization: ${SHOP_TOKEN} is not set (write ${SHOP_TOKEN:-default} for a default)
}

func ExampleConfig_Redacted() {
	c, err := watchconfig.Parse("gwdoctor.yaml", []byte(`
db: postgres://gwdoctor:s3cret@db.example/gwdoctor
alerts:
  ops: {urls: ["slack://hook:T000-B000-XXXXXXXX@webhook"]}
targets:
  - url: shop.example
    headers: {Authorization: "Bearer abc123"}
`), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := c.Redacted()
	fmt.Println(r.DB)
	fmt.Println(r.Alerts["ops"].URLs[0])
	fmt.Println(r.TargetSpecs[0].Headers["Authorization"])
	// Output:
	// postgres://gwdoctor:[redacted:6]@db.example/gwdoctor
	// slack://[redacted:4]:[redacted:18]@[redacted:7]
	// Bearer [redacted:6]
}
