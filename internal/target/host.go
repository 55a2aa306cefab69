package target

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// DNS limits (RFC 1035 section 2.3.4; 253 is the 255-octet wire limit less
// the length octets of the first and the root label).
const (
	maxHostLen  = 253
	maxLabelLen = 63
)

// lookup converts host names the way a browser's URL parser does (WHATWG
// URL, "domain to ASCII" with beStrict false: UTS #46 non-transitional
// mapping, CheckBidi and CheckJoiners on, CheckHyphens and
// UseSTD3ASCIIRules off), so that names such as "r3---sn-x.example" and
// "my_host.example" pass as they do in a browser. Lengths are checked
// separately, in hostName. It is read-only after initialisation.
var lookup = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.CheckHyphens(false),
	idna.StrictDomainName(false),
)

// hostName validates and normalises the host part of an address (without
// brackets or port): an IPv6 literal comes back in its canonical form, a
// name in lowercase ASCII (punycode for IDN labels) without a trailing dot.
// The error is a reason for an InputError.
func hostName(host string, bracketed bool) (string, error) {
	if bracketed {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", fmt.Errorf("invalid IPv6 address [%s]", host)
		}
		return a.String(), nil
	}
	if strings.Contains(host, ":") {
		if _, err := netip.ParseAddr(host); err == nil {
			return "", fmt.Errorf("an IPv6 address needs brackets: [%s]", host)
		}
		return "", fmt.Errorf("more than one ':' in %q", host)
	}
	name := strings.TrimSuffix(host, ".")
	if name == "" {
		return "", fmt.Errorf("no host name")
	}
	if !utf8.ValidString(name) {
		// idna would map the bad bytes to U+FFFD and encode that.
		return "", fmt.Errorf("host name %q is not valid UTF-8", host)
	}
	ascii, err := lookup.ToASCII(name)
	if err != nil {
		return "", fmt.Errorf("invalid host name %q: %w", host, err)
	}
	if err := checkLabels(ascii); err != nil {
		return "", err
	}
	return ascii, checkNumeric(ascii)
}

// checkLabels applies the DNS length limits and allows only the characters
// of host names in use (letters, digits, hyphen, and the underscore that
// browsers accept).
func checkLabels(name string) error {
	if len(name) > maxHostLen {
		return fmt.Errorf("host name is %d characters long, more than %d", len(name), maxHostLen)
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" {
			return fmt.Errorf("empty label in host name %q", name)
		}
		if len(label) > maxLabelLen {
			return fmt.Errorf("label %.20q… is %d characters long, more than %d", label, len(label), maxLabelLen)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("invalid character %q in host name %q", c, name)
			}
		}
	}
	return nil
}

// checkNumeric rejects a name whose last label is a number but which is no
// IPv4 address ("256.1.1.1", "1.2.3"): a browser reads such a host as an
// address and refuses it (WHATWG URL, "ends in a number checker").
func checkNumeric(name string) error {
	last := name[strings.LastIndexByte(name, '.')+1:]
	if _, err := strconv.ParseUint(last, 10, 64); err != nil {
		return nil
	}
	if a, err := netip.ParseAddr(name); err == nil && a.Is4() {
		return nil
	}
	return fmt.Errorf("invalid IPv4 address %q", name)
}

// validPort reports whether p is a port number a URL may carry.
func validPort(p string) bool {
	n, err := strconv.ParseUint(p, 10, 16)
	return err == nil && n > 0 && len(p) <= 5
}
