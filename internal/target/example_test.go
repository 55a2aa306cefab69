package target_test

import (
	"errors"
	"fmt"

	"github.com/gwdoctor/gwdoctor/internal/target"
)

func ExampleParse() {
	t, err := target.Parse("Bücher.example/cart?x=1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Host)
	fmt.Println(t.Candidates)
	fmt.Println(t.Notes)
	// Output:
	// xn--bcher-kva.example
	// [https://xn--bcher-kva.example/cart?x=1 http://xn--bcher-kva.example/cart?x=1]
	// [Bücher.example is xn--bcher-kva.example in DNS]
}

func ExampleInputError() {
	_, err := target.Parse("shop.example:8o8o")
	var ie *target.InputError
	fmt.Println(errors.As(err, &ie))
	fmt.Println(err)
	// Output:
	// true
	// "shop.example:8o8o" is not a web address: invalid port "8o8o"
}
