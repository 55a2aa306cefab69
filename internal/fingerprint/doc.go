// Package fingerprint tells which product produced an HTTP response, and what
// that product's own words say about the failure.
//
// Gateways, CDNs and load balancers answer an upstream failure with a status
// code and, usually, a default page that is unique to the product: nginx ends
// its pages with <hr><center>nginx</center>, HAProxy writes one short sentence,
// Envoy names the reset reason, Cloudflare brands its 52x pages. The same fault
// gives different codes on different products (a refused connection is a 502 on
// nginx, a 503 on Envoy and a 521 on Cloudflare), so the status alone does not
// tell a cause; the page often does.
//
// Identify reads one response and returns a Result: the hop that generated the
// body and status (Generator), every product seen on the path from the headers
// and the body (Hops, outermost first), and the product-specific Reading of the
// page (a cause ID from the project's cause catalog when the page itself shows
// one, the product's wording, and its error code).
//
// Evidence says whether the Generator rests on a product's own marker or on
// a rule of thumb (an empty body, a page that no product writes, which
// comes out as product and role "unknown" with low confidence).
//
// IdentifyPaste does the same for text that a user pasted or saved: a raw
// response, headers alone, an HTML or JSON body alone, or the text a
// browser showed; ReadPaste turns such text into a Response. Every
// signature matches the visible text of a page too, so a screen copied from
// a browser is recognised like the page behind it.
//
// The signatures are a table (signatures.go): one row per header or page
// marker, matched with bytes.Contains and case-insensitive header comparisons,
// and regular expressions only where a page carries a code to extract. Facts
// about each product come from its source or documentation; the row comments
// cite them.
//
// The package is a leaf: it does no I/O, keeps no state and never logs.
// Identify is safe for concurrent use.
package fingerprint
